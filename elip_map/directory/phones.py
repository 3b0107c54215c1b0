"""Phone numbers: E.164 in storage, the local form for people. One place for every page and file."""

from __future__ import annotations

import phonenumbers


def to_e164(text: str) -> str:
    """E.164 for a Canadian number: to_e164('(780) 424-7709') -> '+17804247709'; ValueError if not a number."""
    try:
        parsed = phonenumbers.parse(text, "CA")
    except phonenumbers.NumberParseException:
        raise ValueError(f"'{text}' is not a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"'{text}' is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(number: str, extension: str | None = None) -> str:
    """Local format for people: display_phone('+17804247709') -> '(780) 424-7709'."""
    try:
        parsed = phonenumbers.parse(number, "CA")
    except phonenumbers.NumberParseException:
        return number
    fmt = (phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 1
           else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    text = phonenumbers.format_number(parsed, fmt)
    return f"{text} ext. {extension}" if extension else text
