// The console's editor: every <textarea data-rules-editor> becomes a CodeMirror 6 view of a
// rule file (or, with data-mode="gherkin", of a feature file), with line numbers and the
// language's highlighting. Without JavaScript the textarea itself shows (and submits) the text.
//   data-readonly        only to read
//   data-diagnostics=URL as you type (150 ms after the last key), the text is posted there:
//                        the answer's diagnostics become lint markers and the list
//                        #problems, its names the completions, and the draft is saved;
//                        1 s after typing stops, it is posted again for the whole check
//                        (the warnings over a year of calls, which take longer)
//   data-save=URL        as you type, the text is saved there (no checks: the feature file)
//   data-base=TIME       the time of the draft the page was opened on ("" for none): saves
//                        name it, so that one over someone else's newer save is refused
// `#L12` in the page's address puts the cursor on line 12 (trace links use it).
import { EditorState } from "@codemirror/state";
import { EditorView, lineNumbers, highlightActiveLine, keymap } from "@codemirror/view";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { linter, lintGutter, forceLinting, setDiagnostics } from "@codemirror/lint";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";

const KEYWORDS = new Set([
  "client", "timezone", "languages", "numbers", "holidays", "holiday", "window", "closed", "to",
  "contact", "call", "sms", "email", "oncall", "rotation", "weekly", "daily", "from", "only",
  "escalation", "step", "wait", "repeat", "finally", "take", "message", "priority", "deliver",
  "greeting", "when", "script", "ask", "choice", "required", "urgency", "route", "otherwise",
  "escalate", "patch", "and", "or", "not", "in", "said", "forwarded", "status", "open",
  "forwarding", "list", "team", "override", "number", "text", "yes_no", "use", "choose", "say",
  "is", "else", "then", "phone", "caller", "dialed", "voicemail", "callback", "hangup", "within",
]);

// A small tokenizer for the rule language: comments, strings, times and dates, keywords, names.
const rules = StreamLanguage.define({
  name: "rules",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match("#")) { stream.skipToEnd(); return "comment"; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^\d{4}-\d{2}-\d{2}/) || stream.match(/^\d{1,2}:\d{2}/)) return "number";
    if (stream.match(/^\d+[smhd]?/)) return "number";
    if (stream.match(/^->/)) return "operator";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_-]*/);
    if (word) return KEYWORDS.has(word[0]) ? "keyword" : "variableName";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "#" } },
});

const GHERKIN = /^(Feature|Background|Scenario Outline|Scenario|Examples|Rule|Given|When|Then|And|But)\b:?/;
const gherkin = StreamLanguage.define({
  name: "gherkin",
  token(stream) {
    if (stream.sol() && stream.eatSpace()) return null;
    if (stream.sol() && stream.match(/^\s*#/)) { stream.skipToEnd(); return "comment"; }
    if (stream.match(GHERKIN)) return "keyword";
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^\d{4}-\d{2}-\d{2}/) || stream.match(/^\d{1,2}:\d{2}/)) return "number";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "#" } },
});

function csrf() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  } catch {
    return "";
  }
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const answer = await response.json().catch(() => ({ error: `the console answered ${response.status}` }));
  if (!response.ok) {
    // the console's own refusals: {"error": "…"}; the service's (a body over its limit): {"error": {"message": …}}
    const said = typeof answer.error === "string" ? answer.error : answer.error && answer.error.message;
    throw new Error(said || `the console answered ${response.status}`);
  }
  return answer;
}

function showSaved(saved) {
  const where = document.getElementById("saved");
  if (where && saved) where.textContent = `Draft ${saved.text}`;
}

function showNotSaved(message) {
  const where = document.getElementById("saved");
  if (where) where.textContent = `Not saved: ${message}`;
}

// Saves go one at a time, each naming the draft it starts from (`base`): the time of the draft
// the page was opened on, then of the page's own last save (also put in the form's `base`
// field, which a form's own submit sends). The console refuses a save over someone else's
// newer one (a `conflict` in the answer, or a 409) instead of overwriting it; the page says so.
function saver(area) {
  let base = area.dataset.base || "";
  let turn = Promise.resolve();
  const field = area.form && area.form.elements.namedItem("base");
  return (send) => {
    const next = turn.then(() => send(base)).then((answer) => {
      if (answer.saved) base = answer.saved.at;
      if (field) field.value = base;
      return answer;
    });
    turn = next.catch(() => {});
    return next;
  };
}

function position(doc, line, column) {
  if (!line || line < 1) return 0;
  const at = doc.line(Math.min(line, doc.lines));
  return Math.min(at.from + Math.max((column || 1) - 1, 0), at.to);
}

function moveTo(view, pos) {
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}

// The list under the editor: one button per problem, which puts the cursor at its place.
function showProblems(view, diagnostics, complete) {
  const list = document.getElementById("problems");
  const summary = document.getElementById("problems-summary");
  if (!list) return;
  list.replaceChildren();
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (summary) {
    const found = `${errors} error(s), ${warnings} warning(s)`;
    if (complete) {
      summary.textContent = diagnostics.length ? found : "No problems: `rules-engine check` finds nothing in this text.";
      summary.dataset.complete = "true";
    } else {
      summary.textContent = `${found} so far; the checks over a year of calls follow when you stop typing…`;
      delete summary.dataset.complete;
    }
    summary.dataset.checked = "true";
  }
  for (const d of diagnostics) {
    const item = document.createElement("li");
    item.className = d.severity === "error" ? "bad" : "warn";
    const button = document.createElement("button");
    button.type = "button";
    const where = d.line ? `Line ${d.line}, column ${d.column}: ` : ""; // line 0: the file as a whole
    button.textContent = `${where}${d.severity}: ${d.message}` + (d.hint ? ` (hint: ${d.hint})` : "");
    button.addEventListener("click", () => moveTo(view, position(view.state.doc, d.line, d.column)));
    item.append(button);
    list.append(item);
  }
}

const COMPLETE_AFTER_MS = 1000;

// The answer's diagnostics as CodeMirror's: from the line and column to the end of the word there.
function markers(doc, diagnostics) {
  return diagnostics.filter((d) => d.line > 0).map((d) => {
    const from = position(doc, d.line, d.column);
    const line = doc.lineAt(from);
    const word = /^[\w.-]+/.exec(doc.sliceString(from, line.to));
    return {
      from,
      to: word ? from + word[0].length : Math.min(from + 1, line.to),
      severity: d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info",
      message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    };
  });
}

function completions(names) {
  const options = [];
  const add = (label, type, detail) => options.push({ label, type, detail });
  for (const [name, title] of Object.entries(names.contacts || {})) add(name, "variable", `contact: ${title}`);
  for (const name of names.windows || []) add(name, "constant", "window");
  for (const name of names.teams || []) add(name, "variable", "on-call team");
  for (const name of names.scripts || []) add(name, "function", "script");
  for (const name of names.escalations || []) add(name, "function", "escalation");
  for (const name of names.lists || []) add(name, "constant", "list");
  for (const [field, choices] of Object.entries(names.fields || {})) {
    add(field, "property", "field");
    for (const choice of choices) add(choice, "enum", `choice of ${field}`);
  }
  const seen = new Set();
  return options.filter((o) => !seen.has(o.label) && seen.add(o.label));
}

function upgrade(area) {
  const checkUrl = area.dataset.diagnostics;
  const saveUrl = area.dataset.save;
  const inTurn = saver(area);
  let names = {};
  let edited = false;
  const extensions = [
    lineNumbers(),
    highlightActiveLine(),
    history(),
    keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
    area.dataset.mode === "gherkin" ? gherkin : rules,
    syntaxHighlighting(defaultHighlightStyle),
    EditorState.readOnly.of(area.hasAttribute("data-readonly")),
    // the page's Content-Security-Policy admits the editor's <style> element by this nonce
    EditorView.cspNonce.of(area.dataset.nonce || ""),
    EditorView.contentAttributes.of({ "aria-label": area.getAttribute("aria-label") || "Rule file" }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) {
        edited = true;
        area.value = update.state.doc.toString();
      }
    }),
  ];
  if (checkUrl) {
    let later;
    const notChecked = (error) => {
      const summary = document.getElementById("problems-summary");
      if (summary) summary.textContent = `Not checked: ${error.message}`;
    };
    // Once typing has stopped for a while: the whole of `rules-engine check`, warnings over time too.
    const complete = async (view, text) => {
      if (view.state.doc.toString() !== text) return;
      let answer;
      try {
        answer = await post(checkUrl, { text, save: false, complete: true });
      } catch (error) {
        return notChecked(error);
      }
      if (view.state.doc.toString() !== text) return; // typed since: the next check follows
      showProblems(view, answer.diagnostics, true);
      view.dispatch(setDiagnostics(view.state, markers(view.state.doc, answer.diagnostics)));
    };
    extensions.push(
      lintGutter(),
      linter(
        async (view) => {
          clearTimeout(later);
          const text = view.state.doc.toString();
          let answer;
          try {
            answer = edited
              ? await inTurn((base) => post(checkUrl, { text, base }))
              : await post(checkUrl, { text, save: false });
          } catch (error) {
            notChecked(error);
            return [];
          }
          if (view.state.doc.toString() !== text) return []; // typed since: the next check follows
          names = answer.names || {};
          if (answer.conflict) showNotSaved(answer.conflict);
          else showSaved(answer.saved);
          showProblems(view, answer.diagnostics, answer.complete);
          if (!answer.complete) later = setTimeout(() => complete(view, text), COMPLETE_AFTER_MS);
          return markers(view.state.doc, answer.diagnostics);
        },
        { delay: 150 },
      ),
      autocompletion({
        override: [
          (context) => {
            const word = context.matchBefore(/[A-Za-z_][\w-]*/);
            if (!word || (word.from === word.to && !context.explicit)) return null;
            return { from: word.from, options: completions(names), validFor: /^[\w-]*$/ };
          },
        ],
      }),
    );
  }
  if (saveUrl) {
    let timer;
    extensions.push(
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          const text = update.view.state.doc.toString();
          inTurn((base) => post(saveUrl, { text, base }))
            .then((answer) => showSaved(answer.saved))
            .catch((error) => showNotSaved(error.message));
        }, 400);
      }),
    );
  }
  const view = new EditorView({ state: EditorState.create({ doc: area.value, extensions }) });
  view.scrollDOM.tabIndex = 0; // the scrolling region is reached with the keyboard too
  area.insertAdjacentElement("afterend", view.dom);
  area.hidden = true;
  if (checkUrl) forceLinting(view);
  const goToLine = () => {
    const found = /^#L(\d+)$/.exec(window.location.hash);
    if (found) moveTo(view, position(view.state.doc, Number(found[1]), 1));
  };
  goToLine();
  window.addEventListener("hashchange", goToLine);
  view.dom.dataset.ready = "true";
  return view;
}

document.querySelectorAll("textarea[data-rules-editor]").forEach(upgrade);
