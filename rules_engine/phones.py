"""Phone numbers: text as written in a rule file or sent by a switch → E.164, or the reason it is not a number.

A number must be *possible* (`phonenumbers.is_possible_number`: a length that numbers of its
country can have), not *valid*: a range that is not assigned yet, such as the UK's
+44 7700 900xxx reserved for drama, is accepted, so that examples and tests never dial a
real person. The forms switches send are read too: `tel:+1…` (RFC 3966), `sip:+1…@host`
and `+1 (312) 555-0100`.

Reading a number with `phonenumbers` takes tens of microseconds, so what `e164` read is
remembered (bounded): a caller's number, a client's own numbers, recur call after call.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import NumberParseException, ValidationResult

DIGITS = re.compile(r"^\+\d+$")  # the form of a number in a rule file: E.164, no spaces or dashes
INTERNATIONAL = 'write numbers in international form: "+" country code and number, e.g. "+13125550100"'
SIP_USER = re.compile(r"^sips?:([^@;]+)(?:[@;].*)?$", re.IGNORECASE)
# Why a number's length is impossible for its country: (the message after the number, hint).
LENGTH_PROBLEMS = {
    ValidationResult.TOO_SHORT: ("is too short for a number of country code +{}", "is a digit missing?"),
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: ("is too short for a number of country code +{}", "is a digit missing?"),
    ValidationResult.TOO_LONG: ("is too long for a number of country code +{}", "is a digit doubled?"),
}
OTHER_LENGTH = ("has a length that no number of country code +{} has", "check the digits")


class PhoneError(ValueError):
    """A text that is not a possible phone number; `hint` says how to write one."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


# What switches and carriers send instead of a number when the caller withholds it (compared
# without case, as the whole value or as the user part of a `sip:`/`tel:` URI).
WITHHELD = frozenset({"anonymous", "private", "unknown", "restricted", "withheld", "unavailable"})
URI_USER = re.compile(r"^(?:[^<]*<)?(?:sips?:|tel:)?([^@;>]*)", re.IGNORECASE)


def withheld(text: str) -> bool:
    """Whether `text` says the caller withheld their number (`anonymous`, `Private`,
    `sip:anonymous@anonymous.invalid`, …: `WITHHELD`), rather than being a number. The one
    test of it: a call's `caller` and a SIP `From` are read alike (docs/embedding.md)."""
    match = URI_USER.match(text.strip())
    user = match.group(1) if match else text
    return user.strip().strip('"').casefold() in WITHHELD


@functools.lru_cache(maxsize=4096)
def e164(text: str, region: str | None = None) -> str:
    """`text` as an E.164 number (`+13125550100`), or `PhoneError` saying why it is not one.

    `region` (an ISO country code) reads a national form (`(312) 555-0177`) as a number of
    that country; without it a number needs its `+` and country code.
    """
    written = text.strip()
    sip = SIP_USER.match(written)
    candidate = sip.group(1) if sip else written
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            if candidate.lstrip().startswith("+"):
                raise PhoneError(
                    f"`{text}` does not start with a known country code",
                    "the digits after `+` begin with the country code: 1 for North America, "
                    "44 for the UK, 61 for Australia…",
                ) from None
            raise PhoneError(f"`{text}` has no country code", INTERNATIONAL) from None
        raise PhoneError(f"`{text}` is not a phone number", INTERNATIONAL) from None
    if number.extension:
        raise PhoneError(f"`{text}` has an extension", "give the number without the extension")
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != ValidationResult.IS_POSSIBLE:
        problem, hint = LENGTH_PROBLEMS.get(reason, OTHER_LENGTH)
        raise PhoneError(f"`{text}` " + problem.format(number.country_code), hint)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def written_problem(text: str) -> PhoneError | None:
    """Why a number written in a rule file is not right, or None: the file's form is E.164
    exactly (no spaces or dashes), so that the number reads the same everywhere it is used."""
    if not DIGITS.match(text):
        return PhoneError(
            f"`{text}` is not a valid phone number",
            'write numbers in international form: "+" country code and number, no spaces, e.g. "+13125550100"',
        )
    try:
        e164(text)
    except PhoneError as exc:
        return exc
    return None


@functools.lru_cache(maxsize=1024)
def region_of(number: str) -> str | None:
    """The country (ISO code) of an E.164 number, for reading national forms said beside it."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except NumberParseException:
        return None
