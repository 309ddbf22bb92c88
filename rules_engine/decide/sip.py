"""SIP facts → a `Call`: which client a forwarded call is for, and why it was forwarded.

A switch knows the call as SIP headers: the Request-URI and `To` (the number dialled),
`From` (the caller), and, when the call was forwarded, a `Diversion` header (RFC 5806) or
`History-Info` entries (RFC 7044) with RFC 4458 `cause=` codes; an Asterisk dialplan has
`REDIRECTING(reason)` and `REDIRECTING(from-num)`, a Twilio webhook `ForwardedFrom`.
`call_from_sip` reads whichever the switch sent, in that order of preference:

- **Diversion**: RFC 5806 lists diversions newest first, so the last entry is the first
  diversion: its number is the client's (the number the caller dialled) and its reason is
  `forwarded`. `counter` says how many diversions one entry stands for.
- **History-Info**: entries are in the order the request was retargeted. The first entry
  carrying `cause=` is the first diversion; the entry before it names the client's number.
- **Asterisk**: `REDIRECTING(reason)` values (`cfb`, `cfnr`, …) and the `from-num`.
- **Twilio**: `ForwardedFrom` is the client's number; Twilio gives no reason (`unknown`).
- Otherwise the call was not forwarded: the caller dialled the service's own number for
  the client (`direct`), read from the Request-URI or `To`.

A Diversion entry without `reason` is read as `unknown` (RFC 5806 makes the parameter
mandatory, but carriers leave it out): the call was forwarded, the number still finds the
client. Numbers without `+` are national numbers (`sip:3125550100@…`, as many North
American carriers send them): with `default_country` (ISO 3166 alpha-2, e.g. `US`) they are
read as numbers of that country by `phonenumbers`; without it they are a `SipError` saying
to set it.

Every value and the reason it becomes is in docs/sip.md (and pinned by tests/decide/test_sip.py).
A malformed header is a `SipError` naming the field, never an exception from deep inside.
The diverting party's privacy (`privacy=full`) does not stop us from reading its number: the
client forwarded its own line to us, and the number is used only to find the client; it is
never put in the decision. A caller who withholds their identity (`Privacy: id`, or an
anonymous `From`) is decided as a call without a caller id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .. import phones
from ..errors import CallError, did_you_mean
from .call import Call, normalise_reason

# RFC 4458 `cause=` values (section 3.4 of RFC 4458; RFC 7544 maps them to Diversion reasons).
CAUSES: Mapping[int, str] = MappingProxyType(
    {
        302: "always",  # unconditional
        404: "unknown",  # unknown / not available
        408: "no_answer",  # no reply
        480: "manual",  # deflection, immediate response
        486: "busy",  # user busy
        487: "manual",  # deflection during alerting
        503: "unavailable",  # mobile subscriber not reachable
    }
)

# Asterisk's own `REDIRECTING(reason)` names; every other value (`away`, `deflection`,
# `time_of_day`, `follow_me`, `unavailable`, `unknown`, or an RFC 5806 string) is read as a
# forwarding reason by `normalise_reason`.
ASTERISK_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "cfu": "always",  # call forwarding unconditional
        "cfb": "busy",  # call forwarding busy
        "cfnr": "no_answer",  # call forwarding no reply
        "dnd": "manual",  # do not disturb
        "cf_dte": "manual",  # forwarded by the called terminal itself
        "send_to_vm": "manual",  # the callee sent the call on
        "out_of_order": "unavailable",
    }
)

PRIVACY_VALUES = ("full", "name", "uri", "off")
CALLER_HIDDEN = {"id", "user", "header"}  # Privacy header values (RFC 3323/3325) that hide the caller
MAX_COUNTER = 100
NUMBER = re.compile(r"^\+?[0-9]{2,20}$")
VISUAL_SEPARATORS = re.compile(r"[-.() ]")
INDEX = re.compile(r"^[0-9]+(\.[0-9]+)*$")
LANGUAGE_RANGE = re.compile(r"^([A-Za-z]{1,8})(-[A-Za-z0-9]{1,8})*$|^\*$")
QUALITY = re.compile(r"^q=(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$")

DIVERSION_EXAMPLE = "<sip:+13125550100@carrier.example;user=phone>;reason=user-busy;counter=1"
HISTORY_EXAMPLE = "<sip:+13125550100@carrier.example>;index=1, <sip:+18005550000@service.example;cause=486>;index=1.1"
NUMBER_HINT = "the user part of the URI must be a number, e.g. sip:+13125550100@carrier.example"
# Countries whose everyday name is not their ISO 3166 code.
COUNTRY_ALIASES: Mapping[str, str] = MappingProxyType({"UK": "GB", "EL": "GR"})


class SipError(CallError):
    """A SIP header the normaliser cannot read; `hint` shows a well-formed example."""

    def __init__(self, message: str, field: str, hint: str | None = None):
        self.hint = hint
        super().__init__(message, field=field)


class SipFacts(BaseModel):
    """What a switch knows about an incoming call, as received (header values verbatim)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    request_uri: str | None = Field(None, description="the Request-URI, e.g. sip:+18005550000@service.example")
    to: str | None = Field(None, description="the To header")
    from_: str | None = Field(None, alias="from", description="the From header (the caller)")
    diversion: list[str] = Field([], description="Diversion header values (RFC 5806), newest first, as received")
    history_info: list[str] = Field([], description="History-Info header values (RFC 7044), as received")
    privacy: str | None = Field(None, description="the Privacy header (RFC 3323), e.g. id")
    accept_language: str | None = Field(None, description="the Accept-Language header, e.g. es-MX, en;q=0.5")
    redirecting_reason: str | None = Field(None, description="Asterisk REDIRECTING(reason), e.g. cfb")
    redirecting_from: str | None = Field(None, description="Asterisk REDIRECTING(from-num): the client's number")
    forwarded_from: str | None = Field(None, description="Twilio's ForwardedFrom: the client's number")
    language: str | None = Field(None, description="the caller's language, when the switch's IVR asked it")
    answers: dict[str, str] = Field({}, description="answers the switch's IVR collected, by field name")
    at: datetime | None = Field(None, description="when the call arrived (ISO 8601 with offset); default now")
    call_id: str | None = Field(None, description="the SIP Call-ID, for the logs")

    def __init__(self, **data: Any):
        try:
            super().__init__(**data)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            field = ".".join(str(part) for part in error["loc"]) or None
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"is not a SIP fact (they are {', '.join(SIP_FIELDS)})"
            raise CallError(message, field=field) from None

    @field_validator("diversion", "history_info", mode="before")
    @classmethod
    def _values(cls, value: Any) -> list:
        """One header value or several; empty values (a header the switch did not see) dropped."""
        values = [value] if isinstance(value, str) else value
        if values is None:
            return []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError("must be a header value, or a list of them, as text")
        return [v for v in values if v.strip()]


SIP_FIELDS = tuple(field.alias or name for name, field in SipFacts.model_fields.items())


@dataclass(frozen=True)
class Forwarding:
    """How the call reached the service: the client's number, the reason, and from which facts."""

    number: str | None
    reason: str
    source: str  # diversion, history-info, asterisk, twilio, or dialled (not forwarded)
    diversions: int  # how many times the call was diverted on its way, as far as the headers say


def country_code(value: str) -> str:
    """`value` as the ISO 3166 alpha-2 code `phonenumbers` reads national numbers of (`us` → `US`),
    or `ValueError` saying what to give instead."""
    code = value.strip().upper()
    if code in phonenumbers.SUPPORTED_REGIONS:
        return code
    if code in COUNTRY_ALIASES:
        raise ValueError(f"`{value}` is not an ISO 3166 country code; did you mean {COUNTRY_ALIASES[code]}?")
    hint = did_you_mean(code, sorted(phonenumbers.SUPPORTED_REGIONS))
    raise ValueError(
        f"`{value}` is not a country code of the phone numbering plans: give an ISO 3166 alpha-2 code "
        "such as US, CA, GB, IE, AU, DE, FR" + (f"; {hint}" if hint else "")
    )


def call_from_sip(facts: SipFacts, now: datetime | None = None, default_country: str | None = None) -> Call:
    """The call a switch describes, ready for `Engine.decide`; `default_country` (an ISO 3166
    code, e.g. `US`) reads numbers without `+` as national numbers of that country."""
    forwarding = read_forwarding(facts, default_country)
    if forwarding.number is None:
        raise SipError(
            "no number to find the client by: give the Request-URI or To of the call",
            field="request_uri",
            hint="e.g. sip:+13125550100@service.example",
        )
    return Call(
        number=forwarding.number,
        at=facts.at or now or datetime.now(UTC),
        forwarded=forwarding.reason,
        caller=caller_number(facts, default_country),
        language=facts.language or preferred_language(facts.accept_language),
        answers=facts.answers,
    )


def read_forwarding(facts: SipFacts, default_country: str | None = None) -> Forwarding:
    def read_number(uri_or_number: str, field: str) -> str:
        return number_of(uri_or_number, field, default_country)

    if facts.diversion:
        return from_diversion(facts.diversion, read_number)
    if facts.history_info:
        found = from_history_info(facts.history_info, read_number)
        if found is not None:
            return found
    if facts.redirecting_reason or facts.redirecting_from:
        return Forwarding(
            read_number(facts.redirecting_from, "redirecting_from")
            if facts.redirecting_from
            else dialled(facts, read_number),
            asterisk_reason(facts.redirecting_reason),
            "asterisk",
            1,
        )
    if facts.forwarded_from:
        return Forwarding(read_number(facts.forwarded_from, "forwarded_from"), "unknown", "twilio", 1)
    return Forwarding(dialled(facts, read_number), "direct", "dialled", 0)


# Reads the number of a URI (or a bare number) in a field: `number_of` with the default country.
NumberReader = Callable[[str, str], str]


def dialled(facts: SipFacts, read_number: NumberReader) -> str | None:
    """The number the caller dialled, when the call was not forwarded: Request-URI, else To."""
    for field in ("request_uri", "to"):
        value = getattr(facts, field)
        if value:
            return read_number(uri_of(entries(value, field)[0], field)[0], field)
    return None


# ---- Diversion (RFC 5806) -----------------------------------------------------------------------------


def from_diversion(values: list[str], read_number: NumberReader) -> Forwarding:
    parsed = [diversion_entry(entry, read_number) for value in values for entry in entries(value, "diversion")]
    number, reason, _ = parsed[-1]  # newest first: the last entry is the first diversion
    return Forwarding(number, reason, "diversion", sum(counter for _, _, counter in parsed))


def diversion_entry(entry: str, read_number: NumberReader) -> tuple[str, str, int]:
    """One Diversion entry → (the diverting number, the short reason, counter); an entry
    without `reason` was forwarded for a reason the carrier did not say: `unknown`."""
    uri, params = uri_of(entry, "diversion")
    diverted_from = read_number(uri, "diversion")
    try:
        reason = normalise_reason(params.get("reason", "unknown"))
    except ValueError as exc:
        raise SipError(f"the Diversion entry `{entry}`: {exc}", field="diversion", hint=DIVERSION_EXAMPLE) from None
    counter = params.get("counter", "1")
    if not counter.isdigit() or not 1 <= int(counter) <= MAX_COUNTER:
        raise SipError(
            f"the Diversion entry `{entry}` has counter `{counter}`; a counter is a whole number "
            f"from 1 to {MAX_COUNTER}",
            field="diversion",
            hint=DIVERSION_EXAMPLE,
        )
    privacy = params.get("privacy", "off").lower()
    if privacy not in PRIVACY_VALUES:
        raise SipError(
            f"the Diversion entry `{entry}` has privacy `{privacy}`; use one of {', '.join(PRIVACY_VALUES)}",
            field="diversion",
            hint=DIVERSION_EXAMPLE,
        )
    return diverted_from, reason, int(counter)


# ---- History-Info (RFC 7044) with RFC 4458 causes -------------------------------------------------------


def from_history_info(values: list[str], read_number: NumberReader) -> Forwarding | None:
    """The first retargeting that carries a cause, or None when no entry has one (not forwarded)."""
    parsed = [history_entry(entry) for value in values for entry in entries(value, "history_info")]
    causes = [(i, cause) for i, (_, cause) in enumerate(parsed) if cause is not None]
    if not causes:
        return None
    first, cause = causes[0]
    if first == 0:
        raise SipError(
            "the first History-Info entry carries a cause, so no entry names the number that was forwarded",
            field="history_info",
            hint=HISTORY_EXAMPLE,
        )
    diverted_from = parsed[first - 1][0]
    return Forwarding(read_number(diverted_from, "history_info"), CAUSES[cause], "history-info", len(causes))


def history_entry(entry: str) -> tuple[str, int | None]:
    """One History-Info entry → (its URI without escaped headers, its RFC 4458 cause or None)."""
    uri, params = uri_of(entry, "history_info")
    index = params.get("index")
    if index is not None and not INDEX.match(index):
        raise SipError(
            f"the History-Info entry `{entry}` has index `{index}`; an index is like 1, 1.1 or 1.1.2",
            field="history_info",
            hint=HISTORY_EXAMPLE,
        )
    uri = uri.split("?", 1)[0]  # escaped headers (Reason, Privacy) are not part of the target
    cause = uri_params(uri).get("cause")
    if cause is None:
        return uri, None
    if not cause.isdigit() or int(cause) not in CAUSES:
        known = ", ".join(str(code) for code in CAUSES)
        raise SipError(
            f"the History-Info entry `{entry}` has cause `{cause}`; RFC 4458 causes are {known}",
            field="history_info",
            hint=HISTORY_EXAMPLE,
        )
    return uri, int(cause)


# ---- Asterisk -----------------------------------------------------------------------------------------


def asterisk_reason(value: str | None) -> str:
    if value is None:
        return "unknown"
    key = value.strip().strip('"').lower()
    if key in ASTERISK_REASONS:
        return ASTERISK_REASONS[key]
    try:
        return normalise_reason(key)
    except ValueError:
        raise SipError(
            f"`{value}` is not a REDIRECTING(reason) value of Asterisk",
            field="redirecting_reason",
            hint="Asterisk's values are cfu, cfb, cfnr, unavailable, time_of_day, dnd, deflection, "
            "follow_me, out_of_order, away, cf_dte, send_to_vm, unknown",
        ) from None


# ---- the caller and the language -------------------------------------------------------------------------


def caller_number(facts: SipFacts, default_country: str | None = None) -> str | None:
    """The caller's number from `From`; None when withheld (Privacy: id, or anonymous)."""
    if facts.privacy and CALLER_HIDDEN & {p.strip().lower() for p in facts.privacy.split(";")}:
        return None
    if not facts.from_:
        return None
    uri, _ = uri_of(entries(facts.from_, "from")[0], "from")
    if user_of(uri) is None or phones.withheld(uri):
        return None
    return number_of(uri, "from", default_country)


def preferred_language(header: str | None) -> str | None:
    """The primary tag of the caller's most preferred language (`es-MX, en;q=0.5` → `es`)."""
    if not header:
        return None
    ranked = []
    for position, item in enumerate(header.split(",")):
        tag, *params = [part.strip() for part in item.split(";")]
        if not tag:
            continue
        if not LANGUAGE_RANGE.match(tag) or any(p and not QUALITY.match(p) for p in params):
            raise SipError(
                f"`{item.strip()}` is not a language range of Accept-Language",
                field="accept_language",
                hint="e.g. es-MX, es;q=0.9, en;q=0.5",
            )
        quality = float(params[0][2:]) if params and params[0] else 1.0
        if tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return min(ranked)[2] if ranked else None


# ---- header syntax (RFC 3261 name-addr lists) ----------------------------------------------------------------


def entries(value: str, field: str) -> list[str]:
    """A header value → its comma-separated entries (commas inside quotes or <…> kept)."""
    found: list[str] = []
    current: list[str] = []
    quoted = angle = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"' and not angle:
            quoted = not quoted
        elif char == "<" and not quoted:
            angle = True
        elif char == ">" and not quoted:
            angle = False
        elif char == "," and not quoted and not angle:
            found.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    found.append("".join(current).strip())
    if quoted or angle or not all(found):
        raise SipError(
            f"`{value}` is not a well-formed header value (an unclosed quote or <, or an empty entry)",
            field=field,
            hint=hint_for(field),
        )
    return found


def uri_of(entry: str, field: str) -> tuple[str, dict[str, str]]:
    """A name-addr or addr-spec → (its URI, its header parameters, names lower-cased)."""
    if "<" in entry:
        start = entry.index("<")
        end = entry.find(">", start)
        if end < 0:
            raise SipError(f"`{entry}` has a < without its >", field=field, hint=hint_for(field))
        uri, rest = entry[start + 1 : end].strip(), entry[end + 1 :]
    else:
        uri, _, rest = entry.partition(";")
        rest = ";" + rest if rest else ""
        uri = uri.strip()
    if not re.match(r"^(sips?|tel):", uri, re.IGNORECASE):
        raise SipError(f"`{entry}` does not hold a sip:, sips: or tel: URI", field=field, hint=hint_for(field))
    rest = rest.strip()
    if rest and not rest.startswith(";"):
        raise SipError(f"`{entry}` has text after its URI that is not a ;parameter", field=field, hint=hint_for(field))
    return uri, header_params(rest, entry, field)


def header_params(text: str, entry: str, field: str) -> dict[str, str]:
    params = {}
    for item in text.split(";")[1:]:
        name, _, value = item.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not name:
            raise SipError(f"`{entry}` has an empty ;parameter", field=field, hint=hint_for(field))
        params[name] = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    return params


def uri_params(uri: str) -> dict[str, str]:
    """The ;parameters of a URI itself (`sip:x@host;cause=486`), names lower-cased."""
    host_part = uri.split("@", 1)[-1]
    return {
        name.strip().lower(): value.strip()
        for name, _, value in (item.partition("=") for item in host_part.split(";")[1:])
    }


def user_of(uri: str) -> str | None:
    scheme, _, rest = uri.partition(":")
    if scheme.lower() == "tel":
        return unquote(rest.split(";", 1)[0])
    if "@" not in rest:
        return None
    return unquote(rest.split("@", 1)[0].split(";", 1)[0])


def number_of(uri_or_number: str, field: str, default_country: str | None = None) -> str:
    """The telephone number in a URI's user part (or given as it is), visual separators dropped;
    a number without `+` is national, read in `default_country` (E.164 out), refused without one."""
    text = uri_or_number.strip()
    user = user_of(text) if re.match(r"^(sips?|tel):", text, re.IGNORECASE) else text
    number = VISUAL_SEPARATORS.sub("", user or "")
    if not NUMBER.match(number):
        raise SipError(f"`{uri_or_number}` does not name a telephone number", field=field, hint=NUMBER_HINT)
    if number.startswith("+"):
        return number
    if default_country is None:
        raise SipError(
            f"`{uri_or_number}` gives the national number {number}, without + and a country code; set "
            "default_country to read national numbers (`default_country: US` in the settings file, or "
            "`rules-engine serve --default-country US`), or have the switch send numbers as +13125550100",
            field=field,
            hint=NUMBER_HINT,
        )
    try:
        return phones.e164(number, default_country)
    except phones.PhoneError as exc:
        raise SipError(
            f"`{uri_or_number}`, read as a number of {default_country} (default_country): {exc.message}",
            field=field,
            hint=exc.hint,
        ) from None


def hint_for(field: str) -> str | None:
    return {"diversion": DIVERSION_EXAMPLE, "history_info": HISTORY_EXAMPLE}.get(
        field, 'e.g. "Ann" <sip:+13125550100@carrier.example>;tag=1'
    )
