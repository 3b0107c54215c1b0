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


def local_form(number: str) -> str:
    """How people write a number here: local_form('+17804247709') -> '780-424-7709'.

    Dashes, not "(780) 424-7709": parentheses are mirrored inside right-to-left text, and the dashed
    form is what Edmonton's own listings print. Numbers outside North America keep their
    international form so the country code is not lost.
    """
    try:
        parsed = phonenumbers.parse(number, "CA")
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 1:
        digits = str(parsed.national_number)
        if len(digits) == 10:
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def display_phone(number: str, extension: str | None = None) -> str:
    """The number and its extension as one text for files and forms: display_phone('+17804247709', '12') -> '780-424-7709 ext. 12'."""
    text = local_form(number)
    return f"{text} ext. {extension}" if extension else text


def phone_entry(number: str, extension: str | None = None) -> dict:
    """A tel: target and the display form for a card: phone_entry('+17804247709') -> {'tel': '+17804247709', 'display': '780-424-7709'}."""
    entry = {"tel": number, "display": local_form(number)}
    if extension:
        entry["ext"] = extension
    return entry
