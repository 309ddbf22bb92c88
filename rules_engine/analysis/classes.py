"""Call classes: compiled clients → the facts of a call their rules can tell apart, as a few classes each.

A call's facts are finite for the rules: they only ever ask whether an atom holds. So each
fact is a *dimension* whose values are grouped by the atoms (of every client compared) that
hold for them; two values of one group are indistinguishable to every rule:

- `forwarded`: the eight reasons of the spec, declared reasons (`forwarding …`) first;
- `language`: not given, each language a file names, and any other; grouped also by which
  texts a caller of that language hears;
- `status`: not set, or set;
- `caller`, `dialed`: not given, each number a rule names (directly or through a list; for
  `dialed` also the clients' own numbers), and any other number;
- `answers.FIELD`, for each field a rule tests: not answered, each value a rule or a
  `choice` names, and any other answer; for a field asked as a `number` (or compared with
  `<`, `>`…): not answered, each number a rule names and the intervals between them, inside
  the question's bounds;
- `said`: what the agent noted, grouped by the `said` atoms it makes true.

The first value of each dimension is its default: nothing special about the call.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from .. import model as m
from ..decide.call import Call
from ..decide.conditions import answer_predicate, phone_key, said_pattern
from .timeline import rule_conditions

NOT_GIVEN = "not given"
ANY_OTHER = "any other"
OTHER_NUMBER = "+19995550000"  # a well-formed number no rule names (checked below)
OTHER_ANSWER = "something else"
MAX_SAID_CLASSES = 256  # combinations of `said` atoms followed at most (2**atoms; real files have a few)
NumberAtom = m.CallerIs | m.CallerIn | m.DialedIs | m.DialedIn  # atoms on the caller's or the dialled number
AnswerAtom = m.FieldSet | m.FieldIs | m.FieldIn | m.FieldCompare  # atoms on an answer
ANSWER_ATOMS = (m.FieldSet, m.FieldIs, m.FieldIn, m.FieldCompare)


@dataclass(frozen=True)
class Value:
    """One class of a dimension: `label` says what it stands for (JSON), `sample` is what a
    representative call carries."""

    label: Any
    sample: Any


@dataclass(frozen=True)
class Dim:
    """A fact of the call, its classes (`values`, the default first) and how a raw value is classed."""

    name: str
    values: tuple[Value, ...]
    signature: Callable[[Any], Hashable]
    by_signature: dict

    def classify(self, raw: Any) -> Value:
        return self.by_signature[self.signature(raw)]


def grouped(
    name: str, candidates: Sequence, signature: Callable[[Any], Hashable], describe: Callable[[list], Any]
) -> Dim:
    """A dimension whose candidates are grouped by `signature`, in the candidates' order."""
    groups: dict[Hashable, list] = {}
    for candidate in candidates:
        groups.setdefault(signature(candidate), []).append(candidate)
    values = {sig: Value(describe(members), members[0]) for sig, members in groups.items()}
    return Dim(name, tuple(values.values()), signature, values)


A = TypeVar("A", bound=m.Cond)


def atoms_of(clients: Sequence[m.Client], kinds: type[A] | tuple[type[A], ...]) -> list[tuple[int, A]]:
    """(client index, atom) for every atom of the given kinds in the clients' rules, once each."""
    found = dict.fromkeys(
        (i, atom)
        for i, client in enumerate(clients)
        for cond in rule_conditions(client)
        for atom in m.atoms(cond)
        if isinstance(atom, kinds)
    )
    return list(found)


def ordered_reasons(clients: Sequence[m.Client]) -> list[str]:
    """The eight reasons, those the clients declare with `forwarding` first."""
    declared = [r.value for client in clients for r in client.forwarding]
    return list(dict.fromkeys(declared + list(m.FORWARDING_REASONS)))


def number_label(members: list) -> list[str]:
    return [NOT_GIVEN if n is None else ANY_OTHER if n == OTHER_NUMBER else n for n in members]


class Dims:
    """The dimensions of the calls to `clients` (one client, or the two versions a diff compares).

    `truth[(i, atom)]` tells whether an atom of client `i` holds for a value of its dimension
    (an answer that is given, for the atoms on answers); the classes are grouped by these.
    """

    def __init__(self, clients: Sequence[m.Client]):
        self.clients = tuple(clients)
        self.truth: dict[tuple[int, m.Cond], Callable[[Any], bool | None]] = {}
        dims = [self.forwarded(), self.language(), self.status(), self.numbers("caller"), self.numbers("dialed")]
        dims += self.answers()
        dims.append(self.said())
        self.dims: dict[str, Dim] = {dim.name: dim for dim in dims}
        self.order = tuple(self.dims)

    def __getitem__(self, name: str) -> Dim:
        return self.dims[name]

    def by_atoms(
        self,
        name: str,
        atoms: list[tuple[int, A]],
        candidates: Sequence,
        describe: Callable[[list], Any],
        test: Callable[[int, A], Callable[[Any], bool | None]],
    ) -> Dim:
        """A dimension grouped by the truth of its atoms (`test(i, atom)` makes each one's test)."""
        tests = []
        for i, atom in atoms:
            tests.append(self.truth.setdefault((i, atom), test(i, atom)))
        return grouped(name, candidates, lambda value: tuple(t(value) for t in tests), describe)

    # ---- the dimensions ------------------------------------------------------------------------
    def forwarded(self) -> Dim:
        return self.by_atoms(
            "forwarded",
            atoms_of(self.clients, m.Forwarded),
            ordered_reasons(self.clients),
            list,
            lambda i, atom: lambda reason: reason in atom.reasons,
        )

    def language(self) -> Dim:
        named = [n.value for client in self.clients for n in client.languages]
        named += [atom.language for _, atom in atoms_of(self.clients, m.LanguageIs)]
        other = next(code for code in ("xx", "zz", "qq") if code not in named)
        by_atoms = self.by_atoms(
            "language",
            atoms_of(self.clients, m.LanguageIs),
            [None, *dict.fromkeys(named), other],
            list,
            lambda i, atom: lambda code: atom.language == (code or self.clients[i].default_language),
        )

        def heard(code: str | None) -> tuple[str, ...]:
            """The language each client's texts are read in for a caller speaking `code`."""
            out = []
            for client in self.clients:
                spoken = code or client.default_language
                known = {n.value for n in client.languages} or {client.default_language}
                out.append(spoken if spoken in known else client.default_language)
            return tuple(out)

        return grouped(
            "language",
            [None, *dict.fromkeys(named), other],
            lambda code: (by_atoms.signature(code), heard(code)),
            lambda members: [NOT_GIVEN if c is None else ANY_OTHER if c == other else c for c in members],
        )

    def status(self) -> Dim:
        return self.by_atoms(
            "status", atoms_of(self.clients, m.Status), [False, True], lambda members: members[0], lambda i, atom: bool
        )

    def numbers(self, fact: str) -> Dim:
        kinds: tuple[type[NumberAtom], ...] = (m.CallerIs, m.CallerIn) if fact == "caller" else (m.DialedIs, m.DialedIn)
        atoms = atoms_of(self.clients, kinds)
        named: list[str] = []
        for i, atom in atoms:
            named += (
                [n.value for n in self.clients[i].lists[atom.list].numbers]
                if isinstance(atom, (m.CallerIn, m.DialedIn))
                else [atom.number]
            )
        if fact == "dialed":
            named += [n.value for client in self.clients for n in client.numbers]
        assert OTHER_NUMBER not in named, "pick another stand-in number"

        def test(i: int, atom: NumberAtom) -> Callable[[Any], bool]:
            if isinstance(atom, (m.CallerIn, m.DialedIn)):
                members = frozenset(phone_key(n.value) for n in self.clients[i].lists[atom.list].numbers)
                return lambda number: number is not None and phone_key(number) in members
            wanted = phone_key(atom.number)
            return lambda number: number is not None and phone_key(number) == wanted

        return self.by_atoms(fact, atoms, [None, *dict.fromkeys(named), OTHER_NUMBER], number_label, test)

    def answers(self) -> list[Dim]:
        atoms: list[tuple[int, AnswerAtom]] = atoms_of(self.clients, ANSWER_ATOMS)
        dims = []
        for field in dict.fromkeys(atom.field for _, atom in atoms):
            mine = [(i, atom) for i, atom in atoms if atom.field == field]
            bounds = [ask.number for ask in self.asks(field) if ask.number is not None]
            if bounds or any(isinstance(atom, m.FieldCompare) for _, atom in mine):
                dims.append(self.numbers_answered(field, mine, bounds))
                continue
            values = [
                v
                for _, atom in mine
                for v in (
                    (atom.value,) if isinstance(atom, m.FieldIs) else atom.values if isinstance(atom, m.FieldIn) else ()
                )
            ]
            values += [
                c.value
                for client in self.clients
                for script in client.scripts.values()
                for step in script.steps
                if isinstance(step, m.Ask) and step.field == field
                for c in step.choices or ()
            ]
            first_spelling: dict[str, str] = {}
            for value in values:
                first_spelling.setdefault(value.casefold(), value)
            assert OTHER_ANSWER.casefold() not in first_spelling, "pick another stand-in answer"
            dims.append(
                self.by_atoms(
                    f"answers.{field}",
                    mine,
                    [None, *first_spelling.values(), OTHER_ANSWER],
                    lambda members: [
                        NOT_GIVEN if v is None else ANY_OTHER if v == OTHER_ANSWER else v for v in members
                    ],
                    answer_test,
                )
            )
        return dims

    def asks(self, field: str) -> list[m.Ask]:
        """The questions of `field` in the clients' scripts."""
        return [
            step
            for client in self.clients
            for script in client.scripts.values()
            for step in script.steps
            if isinstance(step, m.Ask) and step.field == field
        ]

    def numbers_answered(self, field: str, mine: list[tuple[int, AnswerAtom]], bounds: list[m.NumberRange]) -> Dim:
        """A field answered with a number: split at every number its rules name (each number
        and the intervals between them, from below the least to above the greatest), kept
        within the widest bounds its questions give, and grouped by the atoms as any field is."""
        named: set[Decimal] = set()
        for _, atom in mine:
            if isinstance(atom, m.FieldCompare):
                named.add(atom.value)
            elif isinstance(atom, (m.FieldIs, m.FieldIn)):
                written = (atom.value,) if isinstance(atom, m.FieldIs) else atom.values
                named.update(n for n in map(m.number_of, written) if n is not None)
        lows = [b.low for b in bounds if b.low is not None]
        highs = [b.high for b in bounds if b.high is not None]
        bounded = len(lows) == len(highs) == len(bounds) and bool(bounds)
        low, high = (min(lows), max(highs)) if bounded else (None, None)
        samples = number_samples(sorted(named | ({low, high} if low is not None and high is not None else set())))
        if low is not None and high is not None:
            samples = [(label, n) for label, n in samples if low <= n <= high]
        labels = {number_text(n): label for label, n in samples}
        return self.by_atoms(
            f"answers.{field}",
            mine,
            [None, *labels],
            lambda members: [NOT_GIVEN if v is None else labels[v] for v in members],
            answer_test,
        )

    def said(self) -> Dim:
        by_atoms = self.by_atoms("said", atoms_of(self.clients, m.Said), [None], list, said_test)
        signature = by_atoms.signature
        # A text's class is the union of the classes of the phrases it contains, so every class
        # is found by joining phrases, with a separator no phrase can match across.
        phrases = dict.fromkeys(p for _, atom in atoms_of(self.clients, m.Said) for p in atom.phrases)
        texts: dict[Hashable, str | None] = {signature(None): None}
        for phrase in phrases:
            texts.setdefault(signature(phrase), phrase)
        grown = True
        while grown and len(texts) < MAX_SAID_CLASSES:
            grown = False
            for a, b in [(a, b) for a in list(texts.values()) for b in list(texts.values()) if a and b and a < b]:
                joined = f"{a} / {b}"
                if signature(joined) not in texts and len(texts) < MAX_SAID_CLASSES:
                    texts[signature(joined)] = joined
                    grown = True
        return grouped(
            "said",
            list(texts.values()),
            signature,
            lambda members: [] if members[0] is None else members[0].split(" / "),
        )

    # ---- calls -------------------------------------------------------------------------------------
    def sample(self, assignment: dict[str, Value], name: str) -> Any:
        value = assignment.get(name)
        return (value if value is not None else self.dims[name].values[0]).sample

    def answer(self, assignment: dict[str, Value], field: str) -> str | None:
        """The answer to `field` a representative call carries (none to a field no rule tests)."""
        name = f"answers.{field}"
        return self.sample(assignment, name) if name in self.dims else None

    def call(self, client: m.Client, at, assignment: dict[str, Value], trusted: bool = False) -> Call:
        """The representative call of a class (its status, if any, is `status` in `assignment`).

        `trusted` skips validating it: the samples are the engine's own normal forms already
        (a short reason, phone numbers and answers without spaces), and a search makes many."""
        answers = {
            name.partition(".")[2]: self.sample(assignment, name) for name in self.order if name.startswith("answers.")
        }
        fields = dict(
            client=client.id,
            at=at,
            forwarded=self.sample(assignment, "forwarded"),
            language=self.sample(assignment, "language"),
            caller=self.sample(assignment, "caller"),
            number=self.sample(assignment, "dialed"),
            said=self.sample(assignment, "said"),
            answers={field: value for field, value in answers.items() if value is not None},
        )
        return Call.model_construct(**fields, agent=None) if trusted else Call(**fields)

    def classify(self, call: Call, status: bool) -> dict[str, Value]:
        """The class of each dimension a concrete call falls in."""
        raw = {
            "forwarded": call.forwarded,
            "language": call.language,
            "status": status,
            "caller": call.caller,
            "dialed": call.number,
            "said": call.said,
        }
        raw.update(
            {name: call.answers.get(name.partition(".")[2]) for name in self.order if name.startswith("answers.")}
        )
        return {name: self.dims[name].classify(raw[name]) for name in self.order}

    def when(self, assignment: dict[str, Value]) -> dict:
        """The facts that define a class, as JSON: each fixed dimension but the forwarding reason."""
        out: dict[str, Any] = {}
        for name in self.order:
            if name in assignment and name != "forwarded":
                if name.startswith("answers."):
                    out.setdefault("answers", {})[name.partition(".")[2]] = assignment[name].label
                else:
                    out[name] = assignment[name].label
        return out

    def reasons(self, assignment: dict[str, Value]) -> list[str]:
        value = assignment.get("forwarded")
        return list(value.label) if value is not None else ordered_reasons(self.clients)


def answer_test(i: int, atom: AnswerAtom) -> Callable[[str | None], bool | None]:
    """Whether an atom on an answer holds for a given answer, by the engine's own test; None
    for no answer: whether that is unknown or absent is the script's to say."""
    holds = answer_predicate(atom)
    return lambda answer: None if not answer else holds(answer)


def number_samples(named: list[Decimal]) -> list[tuple[str, Decimal]]:
    """A number for each piece of the number line that `named` (sorted) cuts it into, with
    what it stands for: below the least, each named number, between two, above the greatest."""
    if not named:
        return [("any number", Decimal(0))]
    pieces = [(f"below {number_text(named[0])}", named[0] - 1)]
    for number, after in zip(named, [*named[1:], None], strict=True):
        pieces.append((number_text(number), number))
        if after is not None:
            pieces.append((f"between {number_text(number)} and {number_text(after)}", (number + after) / 2))
    pieces.append((f"above {number_text(named[-1])}", named[-1] + 1))
    return pieces


def number_text(number: Decimal) -> str:
    """A number as an answer would give it: `104`, `98.6`, never `1E+2`."""
    return format(number.normalize(), "f")


def said_test(i: int, atom: m.Said) -> Callable[[str | None], bool]:
    pattern = said_pattern(atom.phrases)
    return lambda text: bool(text) and pattern.search(text) is not None


def atom_dimension(atom: m.Cond) -> str | None:
    """The dimension an atom reads; None for time (windows, schedules, holiday, closed) and urgency."""
    if isinstance(atom, m.Forwarded):
        return "forwarded"
    if isinstance(atom, (m.CallerIs, m.CallerIn)):
        return "caller"
    if isinstance(atom, (m.DialedIs, m.DialedIn)):
        return "dialed"
    if isinstance(atom, m.LanguageIs):
        return "language"
    if isinstance(atom, m.Status):
        return "status"
    if isinstance(atom, ANSWER_ATOMS):
        return f"answers.{atom.field}"
    if isinstance(atom, m.Said):
        return "said"
    return None


def dimensions(conditions: Iterable[m.Cond | None]) -> frozenset[str]:
    found = (atom_dimension(atom) for cond in conditions for atom in m.atoms(cond))
    return frozenset(name for name in found if name is not None)


def describe(when: dict) -> str:
    """A class as people read it: `{"status": true, "language": ["es"]}` → `status set, language es`."""
    parts = []
    for name, value in when.items():
        if name == "answers":
            parts += [f"{field} {' or '.join(v)}" for field, v in value.items()]
        elif name == "status":
            parts.append("status set" if value else "no status")
        elif name == "said":
            parts.append("said " + (" and ".join(f'"{p}"' for p in value) if value else "nothing a rule looks for"))
        else:
            parts.append(f"{name} {' or '.join(value)}")
    return ", ".join(parts)
