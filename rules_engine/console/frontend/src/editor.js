// The console's editor: every <textarea data-rules-editor> becomes a CodeMirror 6 view of a
// rule file, with line numbers and the language's highlighting. Without JavaScript the
// textarea itself shows the text. Read-only for now (data-readonly); editing comes with publishing.
import { EditorState } from "@codemirror/state";
import { EditorView, lineNumbers, highlightActiveLine, keymap } from "@codemirror/view";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { defaultKeymap } from "@codemirror/commands";

const KEYWORDS = new Set([
  "client", "timezone", "languages", "numbers", "holidays", "holiday", "window", "closed", "to",
  "contact", "call", "sms", "email", "oncall", "rotation", "weekly", "daily", "from", "only",
  "escalation", "step", "wait", "repeat", "finally", "take", "message", "priority", "deliver",
  "greeting", "when", "script", "ask", "choice", "required", "urgency", "route", "otherwise",
  "escalate", "patch", "and", "or", "not", "in", "said", "forwarded", "status", "open",
  "forwarding", "list", "team", "override", "number", "text", "yes_no", "use",
]);

// A small tokenizer for the rule language: comments, strings, times and dates, keywords.
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

function upgrade(area) {
  const view = new EditorView({
    state: EditorState.create({
      doc: area.value,
      extensions: [
        lineNumbers(),
        highlightActiveLine(),
        keymap.of(defaultKeymap),
        rules,
        syntaxHighlighting(defaultHighlightStyle),
        EditorState.readOnly.of(area.hasAttribute("data-readonly")),
        // the page's Content-Security-Policy admits the editor's <style> element by this nonce
        EditorView.cspNonce.of(area.dataset.nonce || ""),
        EditorView.contentAttributes.of({ "aria-label": area.getAttribute("aria-label") || "Rule file" }),
      ],
    }),
  });
  view.scrollDOM.tabIndex = 0; // the scrolling region is reached with the keyboard too
  area.insertAdjacentElement("afterend", view.dom);
  area.hidden = true;
}

document.querySelectorAll("textarea[data-rules-editor]").forEach(upgrade);
