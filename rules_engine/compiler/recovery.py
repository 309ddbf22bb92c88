"""Recovery: after a syntax error the rest of the file is still read, one message per mistake.

Lark stops at the first syntax error. A file that has one is read again, token by token,
through Lark's interactive parser, and each error is handled the way compilers have handled
them since yacc (panic mode): explain it, go back to where the statement holding it began —
or, inside `route`, a script, an escalation or an on-call team, where the rule, step or
rotation began — and skip ahead to the next one, or to the `}` that ends the block. What was
skipped is never checked, so one mistake gives one message, however much it garbles.

A missing `}` is recognised by putting it back: when the line where parsing stopped reads as
what comes after the block once a `}` closes it, the message names the block left open
("the greeting `lunch` opened at line 57 is not closed before line 64") and parsing goes on
as if the `}` were there, so the statements after it are checked too.

Only a file with an error is read this way, and no tree is built (the parser's callbacks are
off): a file with syntax errors goes no further than the parser.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass

from lark import Lark, Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr
from lark.parsers.lalr_interactive_parser import InteractiveParser

from ..errors import Diagnostic, SourceText

# The statements of a client, in the grammar's words.
STATEMENTS = (
    "timezone",
    "languages",
    "numbers",
    "forwarding",
    "holidays",
    "holiday",
    "window",
    "closed",
    "contact",
    "list",
    "oncall",
    "escalation",
    "greeting",
    "script",
    "choose",
    "urgency",
    "route",
)
# Where a statement surely begins: a line that starts with its keyword. The keywords that are
# also words of a condition (`holiday`, `closed`, `urgency is`) count only when followed by
# what their statement needs.
STATEMENT_AFTER = {"holiday": r'\s+"', "closed": r'\s+["\d]', "urgency": r"\s*\{"}
STATEMENT_START = re.compile("|".join(k + STATEMENT_AFTER.get(k, r"\b") for k in STATEMENTS))
# The blocks whose lines are statements of their own, each begun by one of these keywords: an
# error in one skips to the next. The first keyword is taken wherever any of them may begin.
LINES = {
    "client": STATEMENTS,
    "route": ("when", "otherwise"),
    "script": ("ask", "say"),
    "escalation": ("step", "repeat", "finally"),
    "oncall": ("rotation", "override"),
}
EVIDENCE = 3  # how many words must read on for parsing to resume at a word (after a `}`, one more)
RECENT = 12  # how many of the last tokens a missing `}` is looked for before
# A block, named after the keyword of the statement that opened it.
BLOCK_NAMES = {
    "client": "the client `{}`",
    "contact": "the contact `{}`",
    "oncall": "the on-call team `{}`",
    "rotation": "the rotation",
    "escalation": "the escalation `{}`",
    "greeting": "the greeting `{}`",
    "script": "the script `{}`",
    "ask": "the question `{}`",
    "say": "the `say` block",
    "urgency": "the `urgency` block",
    "route": "the `route` block",
}


@dataclass(frozen=True)
class Block:
    """A `{` the parser has read and not yet seen closed."""

    kind: str  # the keyword of the statement that opened it: `greeting`, `route`…
    name: str | None  # the name given after the keyword (`lunch`), if any
    line: int  # the line of the `{`

    def described(self) -> str:
        return BLOCK_NAMES.get(self.kind, "the block").format(self.name or "")


@dataclass(frozen=True)
class Checkpoint:
    """The parser as it was before a token (the lexer just after it), to go back to."""

    parser: InteractiveParser
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Before:
    """The parser before one of the last tokens read (the lexer just after it), and the line
    where the token before it ended: where a missing `}` may be put back."""

    checkpoint: Checkpoint
    token: Token
    after_line: int


@dataclass
class Skip:
    """Skipping a broken statement: of the block at `depth` (1: the client's), with `open`
    braces opened by the skipped part and not closed yet; `header` while it is the client's
    first line, which ends at its `{`."""

    depth: int
    open: int
    header: bool = False


def recover(
    lark: Lark, text: str, path: str, explain: Callable[[UnexpectedInput], Diagnostic], limit: int
) -> list[Diagnostic]:
    """The syntax errors of `text`, one per broken statement, at most `limit`."""
    return Recovery(lark, text, path, explain, limit).run()


class Recovery:
    """One reading of a file with syntax errors: `run` returns their diagnostics.

    While reading, it keeps the blocks open (`blocks`), where the current line of each began
    (`starts`, to go back to after an error) and the parser before each of the last tokens
    (`recent`, where a missing `}` may be put back); after an error, `skip` says what is skipped.
    """

    def __init__(self, lark: Lark, text: str, path: str, explain: Callable[[UnexpectedInput], Diagnostic], limit: int):
        self.lark, self.text, self.explain, self.limit = lark, text, explain, limit
        self.source = SourceText.of(path, text)
        self.keywords = keyword_terminals(lark)
        self.ip = without_callbacks(lark.parse_interactive(text))
        self.blocks: tuple[Block, ...] = ()
        self.starts: dict[int, Checkpoint] = {}  # depth → where the current line of that block began
        self.recent: deque[Before] = deque(maxlen=RECENT)
        self.skip: Skip | None = None
        self.opening: tuple[str, str | None] | None = None  # the statement whose `{` may come next
        self.previous: Token | None = None  # the last token fed
        self.client: Block | None = None
        self.rewound_to = -1
        self.diagnostics: list[Diagnostic] = []

    # ---- the loop ----------------------------------------------------------------------------

    def run(self) -> list[Diagnostic]:
        while len(self.diagnostics) < self.limit:
            try:
                token = next(self.ip.lexer_thread.lex(self.ip.parser_state), None)
            except UnexpectedCharacters as exc:  # no token starts here: step over the character
                self.step_over(exc.pos_in_stream or 0)
                if self.skip is None:
                    self.error(exc, None)
                continue
            except UnexpectedToken as exc:  # a token, but not one this place allows
                self.take(exc.token, exc)
                continue
            if token is None:
                self.end()
                break
            self.take(token, None)
        return self.diagnostics

    def take(self, token: Token, refused: UnexpectedToken | None) -> None:
        if self.skip is not None:
            self.skip_over(token)
            return
        self.remember(token)
        if refused is not None:
            refused.interactive_parser = self.ip
            self.error(refused, token)
        else:
            self.feed(token)

    def feed(self, token: Token) -> None:
        depth = len(self.blocks)
        if depth and self.begins_line(token):
            self.starts[depth] = self.checkpoint()
        try:
            self.ip.feed_token(token)
        except UnexpectedToken as exc:
            exc.interactive_parser = self.ip
            self.error(exc, token)
            return
        self.follow(token)

    def follow(self, token: Token) -> None:
        """Keep account of the blocks open, and of the statement a `{` opens."""
        if token.type == "LBRACE":
            kind, name = self.opening or ("", None)
            self.blocks += (Block(kind, name, token.line or 0),)
            self.starts.pop(len(self.blocks), None)
            if kind == "client":
                self.client = self.blocks[-1]
            self.opening = None
        elif token.type == "RBRACE":
            self.blocks = self.blocks[:-1]
            self.starts = {d: c for d, c in self.starts.items() if d <= len(self.blocks)}
        elif (
            token.value in BLOCK_NAMES and self.is_keyword(token) and (token.value != "oncall" or len(self.blocks) == 1)
        ):
            self.opening = (token.value, None)  # `oncall` elsewhere is a target, not a team
        elif token.type == "NAME" and self.opening and self.previous and self.previous.value == self.opening[0]:
            self.opening = (self.opening[0], token.value)
        self.previous = token

    def end(self) -> None:
        if self.skip is not None:  # the broken statement ran to the end: it has had its message
            return
        try:
            self.ip.feed_token(self.end_token())
        except UnexpectedToken as exc:
            exc.interactive_parser = self.ip
            self.diagnostics.append(self.explain(exc))

    # ---- an error, and skipping what follows it ------------------------------------------------

    def error(self, exc: UnexpectedToken | UnexpectedCharacters, token: Token | None) -> None:
        """Report `exc` (at `token`, if a token was read), then skip the line of the block it is in."""
        if self.missing_brace(exc):
            return
        self.diagnostics.append(self.explain(exc))
        header = self.client is None  # the mistake is in the client's first line
        depth = max(self.starts, default=0)
        checkpoint = self.starts[depth] if depth else self.client_level()
        skip = Skip(len(checkpoint.blocks), max(len(self.blocks) - len(checkpoint.blocks), 0), header)
        self.restore(checkpoint)
        self.skip = skip
        if token is not None:  # it may itself begin the next statement, or end the block
            self.skip_over(token, refused=True)

    def skip_over(self, token: Token, refused: bool = False) -> None:
        """One token of a broken statement; the statement ends at the next that begins a line
        of its block (or any statement of the client), or at the `}` that closes its block.
        A keyword first on its line begins one if the parser takes it; elsewhere, or when it
        is the word the parser `refused`, only if the words after it read on too."""
        skip = self.skip
        assert skip is not None
        if token.type == "LBRACE" and skip.header:
            self.skip = None  # the client's `{`: the statements begin
        elif token.type == "LBRACE":
            skip.open += 1
        elif token.type == "RBRACE":
            if skip.open:
                skip.open -= 1
            elif self.takes(self.ip, token):
                if self.ends_block(token):
                    self.resume(token, sure=True)
                # else not the block's end, since what follows does not fit: a `{` was lost in the skipped part
            elif outer := max((d for d in self.starts if d < skip.depth), default=0):
                # the block cannot end yet (its first line was the broken one): skip it whole
                self.restore(self.starts[outer])
                self.skip = Skip(outer, max(skip.depth - 1 - outer, 0))
        elif self.first_on_line(token) and STATEMENT_START.match(self.text, token.start_pos or 0):
            if skip.depth > 1:
                self.restore(self.client_level())
                self.skip = Skip(1, 0)
            self.resume(self.keyword(token), sure=not refused)
        elif (
            skip.depth > 1
            and token.value in LINES.get(self.blocks[-1].kind, ())
            and (not skip.open or self.first_on_line(token))
        ):
            self.resume(self.keyword(token), sure=self.first_on_line(token) and not refused)

    def resume(self, token: Token, sure: bool) -> bool:
        """Go on parsing at `token` if the parser, where it went back to, takes it, and unless
        `sure`, the words after it (a keyword typed by mistake does not begin a statement)."""
        if not self.reads_on_from(self.ip, token, 1 if sure else EVIDENCE):
            return False
        self.skip = None
        self.remember(token)
        self.feed(token)
        return True

    def client_level(self) -> Checkpoint:
        """Where a statement of the client begins; for an error before any could begin (in the
        client's first line, or after its end), a parser just inside a client's `{`."""
        if 1 not in self.starts:
            fresh = without_callbacks(self.lark.parse_interactive(""))
            for kind, value in (("CLIENT", "client"), ("NAME", "client"), ("LBRACE", "{")):
                fresh.feed_token(Token(kind, value))
            self.client = self.client or Block("client", None, 1)
            self.starts[1] = Checkpoint(fresh, (self.client,))
        return self.starts[1]

    def restore(self, checkpoint: Checkpoint) -> None:
        """Back to `checkpoint`, the lexer staying where it is."""
        self.ip = InteractiveParser(
            checkpoint.parser.parser, checkpoint.parser.parser_state.copy(deepcopy_values=False), self.ip.lexer_thread
        )
        self.blocks = checkpoint.blocks
        self.starts = {d: c for d, c in self.starts.items() if d <= len(self.blocks)}

    # ---- a missing `}` -----------------------------------------------------------------------

    def missing_brace(self, exc: UnexpectedToken | UnexpectedCharacters) -> bool:
        """When the text reads on past the error once one or more blocks are closed just
        before one of the last tokens (on the error's line or the one before), say which
        block was left open, and go on as if it had been closed there."""
        token = getattr(exc, "token", None)
        end = (token.end_pos or 0) if isinstance(token, Token) else (exc.pos_in_stream or 0) + 1
        for before in reversed(self.recent):
            if (before.token.start_pos or 0) <= self.rewound_to or (before.token.line or 0) < exc.line - 1:
                break
            for closed in range(1, len(before.checkpoint.blocks)):
                if self.reads_on(before, closed, end):
                    self.report_unclosed(before, before.checkpoint.blocks[-closed:][::-1])
                    self.close_before(before, closed)
                    return True
        return False

    def reads_on(self, before: Before, closed: int, end: int) -> bool:
        """Whether, with `closed` blocks closed before `before.token`, the text parses past
        `end` (the error) and `EVIDENCE` words more. A character no word begins with, after the
        error, is a mistake of its own and does not count against it."""
        first = self.keyword(before.token)
        if first.value in STATEMENTS and not STATEMENT_START.match(self.text, first.start_pos or 0):
            return False
        trial = before.checkpoint.parser.copy(deepcopy_values=False)
        beyond = 0  # words read after the error
        try:
            for _ in range(closed):
                trial.feed_token(Token.new_borrow_pos("RBRACE", "}", first))
            trial.feed_token(first)
            while beyond < EVIDENCE and (token := next(trial.lexer_thread.lex(trial.parser_state), None)):
                trial.feed_token(token)
                beyond += (token.start_pos or 0) >= end
        except UnexpectedCharacters as exc:
            return (exc.pos_in_stream or 0) >= end
        except UnexpectedToken:
            return False
        return True

    def close_before(self, before: Before, closed: int) -> None:
        """Go back to `before` and read on as if `closed` `}` stood there."""
        self.rewound_to = before.token.start_pos or 0
        while self.recent and self.recent[-1] is not before:
            self.recent.pop()
        self.recent.pop()
        self.ip = before.checkpoint.parser.copy(deepcopy_values=False)
        self.blocks = before.checkpoint.blocks
        self.starts = {d: c for d, c in self.starts.items() if d <= len(self.blocks)}
        for _ in range(closed):
            self.feed(Token.new_borrow_pos("RBRACE", "}", before.token))
        token = self.keyword(before.token)
        self.remember(token)
        self.feed(token)

    def report_unclosed(self, before: Before, blocks: tuple[Block, ...]) -> None:
        opened = " and ".join(f"{b.described()} opened at line {b.line}" for b in blocks)
        verb = "is" if len(blocks) == 1 else "are"
        braces = "`}`" if len(blocks) == 1 else f"{len(blocks)} `}}`"
        if self.first_on_line(before.token):
            where, hint = f"before line {before.token.line}", f"at the end of line {before.after_line}"
        else:
            where = hint = f"before `{before.token.value}`"
        self.diagnostics.append(
            self.source.diagnostic(
                "error",
                f"{opened} {verb} not closed {where}",
                before.token.line or 0,
                before.token.column or 0,
                f"write {braces} {hint}",
            )
        )

    # ---- helpers -------------------------------------------------------------------------------

    def remember(self, token: Token) -> None:
        """Keep the parser as it is before `token`: a `}` may be found missing there."""
        self.recent.append(Before(self.checkpoint(), token, self.last_line()))

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.ip.copy(deepcopy_values=False), self.blocks)

    def begins_line(self, token: Token) -> bool:
        """Whether `token` begins a line of the innermost block (a statement, a route rule, a step…)."""
        lines = LINES.get(self.blocks[-1].kind, ())
        if token.value not in lines or not self.is_keyword(token):
            return False
        # Where the parser would take any line of the block, not only this keyword (`holiday`
        # also begins a condition's atom). Fed, not looked up: LALR states merge lookaheads.
        return self.takes(self.ip, Token(self.keywords[lines[0]], lines[0]))

    def last_line(self) -> int:
        """The line where the last token read ends."""
        return (self.previous.end_line or 0) if self.previous is not None else 0

    def first_on_line(self, token: Token) -> bool:
        start = token.start_pos or 0
        return not self.text[self.text.rfind("\n", 0, start) + 1 : start].strip()

    def is_keyword(self, token: Token) -> bool:
        return self.keywords.get(token.value) == token.type

    def keyword(self, token: Token) -> Token:
        """`token` as the keyword its text spells, when the lexer read it as a name."""
        kind = self.keywords.get(token.value)
        return Token.new_borrow_pos(kind, token.value, token) if kind and kind != token.type else token

    def step_over(self, pos: int) -> None:
        # What Lark's own `on_error` does after an unexpected character: the lexer moves on by one.
        state = self.ip.lexer_thread.state
        assert state is not None
        state.line_ctr.feed(self.text[pos : pos + 1])

    def end_token(self) -> Token:
        if self.previous is None:
            return Token("$END", "", 0, 1, 1)
        return Token.new_borrow_pos("$END", "", self.previous)

    def ends_block(self, token: Token) -> bool:
        """Whether the `}` `token` ends the block being skipped: the words after it read on."""
        return self.reads_on_from(self.ip, token, 1 + EVIDENCE, stray_character=False)

    @staticmethod
    def reads_on_from(ip: InteractiveParser, token: Token, words: int, stray_character: bool = True) -> bool:
        """Whether `ip` takes `token` and the words after it, `words` in all (fewer at the end of
        the file). A character no word begins with ends the test: a mistake of its own when
        reading on at a keyword (`stray_character`), but a `}` before it ends no block."""
        trial = ip.copy(deepcopy_values=False)
        try:
            trial.feed_token(token)
            for _ in range(words - 1):
                following = next(trial.lexer_thread.lex(trial.parser_state), None)
                if following is None:
                    trial.feed_token(Token.new_borrow_pos("$END", "", token))
                    break
                trial.feed_token(following)
        except UnexpectedCharacters:
            return stray_character
        except UnexpectedToken:
            return False
        return True

    @staticmethod
    def takes(ip: InteractiveParser, token: Token) -> bool:
        try:
            ip.copy(deepcopy_values=False).feed_token(token)
        except UnexpectedToken:
            return False
        return True


def keyword_terminals(lark: Lark) -> dict[str, str]:
    """Each keyword of the grammar (`greeting`) → the name of its terminal (`GREETING`)."""
    return {
        t.pattern.value: t.name
        for t in lark.terminals
        if isinstance(t.pattern, PatternStr) and t.pattern.value.isalpha()
    }


def without_callbacks(ip: InteractiveParser) -> InteractiveParser:
    """`ip` building no tree: only whether the text parses matters here (as in Lark's `accepts`)."""
    conf = copy(ip.parser_state.parse_conf)
    conf.callbacks = {}
    ip.parser_state.parse_conf = conf
    return ip
