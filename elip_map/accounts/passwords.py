"""Password policy and hashing: argon2id, at least 8 characters, no composition rules, no guessable passwords.

Guessability is judged by zxcvbn (Dropbox's estimator: breached-password and word lists, keyboard
walks, repeats, runs, dates, look-alike substitutions), plus a small list of our own for the words an
attacker would try first here (local names with years). A refusal names its cause in plain words; the
causes are our own short messages (translated), not zxcvbn's English feedback.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from ..i18n import N_, N_plural, translator

MIN_LENGTH = 8
MAX_LENGTH = 256  # bounds the hashing work an attacker can ask for
# zxcvbn's score: 3 means about 10^8 guesses or more ("safely unguessable" against online and slow-hash
# offline attacks); 0-2 are refused.
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows fast with length); the first 72 characters decide.
_ZXCVBN_LENGTH = 72
# Words anyone attacking this site would try first, given to zxcvbn as known words.
_SITE_WORDS = ("elip", "edmonton", "alberta", "servicemap", "newcomer", "settlement", "partner", "staff")

# argon2-cffi's defaults are argon2id with 64 MiB and 3 passes: above the OWASP minimum (19 MiB, 2 passes).
_HASHER = PasswordHasher()

_BASE_WORDS = (
    "password", "passw0rd", "p@ssword", "letmein", "welcome", "qwerty", "qwertyui", "qwertyuiop", "asdfghjk",
    "asdfghjkl", "zxcvbnm", "iloveyou", "admin", "administrator", "monkey", "dragon", "sunshine", "princess",
    "football", "baseball", "hockey", "master", "shadow", "superman", "batman", "trustno1", "abc123", "abcdefgh",
    "changeme", "secret", "default", "login", "user", "guest", "test", "testing", "whatever", "freedom",
    "edmonton", "oilers", "alberta", "canada", "calgary", "elip", "elipmap", "servicemap", "newcomer",
    "newcomers", "immigrant", "settlement", "partner", "staff", "ecvo", "mfrs", "summer", "winter", "spring",
    "autumn", "maple", "maplelea", "ilovecanada",
)
_SUFFIXES = ("", "1", "12", "123", "1234", "12345", "!", "1!", "01", "2020", "2021", "2022", "2023", "2024",
             "2025", "2026", "2027")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Lower-cased passwords too common to allow (words with usual endings, counting runs, repeats)."""
    found = {w + s for w in _BASE_WORDS for s in _SUFFIXES}
    digits = "12345678901234567890"
    for n in range(MIN_LENGTH, 13):
        found.add(digits[:n])
        found.add(digits[:n][::-1])
        for ch in "0123456789abcdefghijklmnopqrstuvwxyz":
            found.add(ch * n)
    found.update({"11223344", "12121212", "1q2w3e4r", "1q2w3e4r5t", "q1w2e3r4", "aaaaaaaa1", "87654321"})
    return frozenset(found)


class WeakPassword(ValueError):
    """The password breaks the policy; :meth:`text` says why in plain words, in the reader's language."""

    def __init__(self, reason: str, **values):
        self.reason, self.values = reason, values
        super().__init__(self.text("en"))

    def text(self, ui: str) -> str:
        """The cause and what to do instead, e.g. "Keyboard patterns like qwerty ... are easy to guess. Choose ..."."""
        _ = translator(ui)
        if isinstance(self.reason, tuple):  # a count: the language's own plural form
            reason = _.ngettext(*self.reason, **self.values)
        else:
            reason = _(self.reason, **self.values)
        return reason if self.reason in _NO_ADVICE else f"{reason} {_(ADVICE)}"


TOO_SHORT = N_plural("The password must have at least {n} character.", "The password must have at least {n} characters.")
TOO_LONG = N_plural("The password must have at most {n} character.", "The password must have at most {n} characters.")
EMAIL = N_("The password must not contain your email address or your name.")
COMMON = N_("This password is too common: it is on the lists attackers try first.")
REPEATS = N_("Repeated characters or words (like “aaaa”, “abcabc” or only spaces) are easy to guess.")
RUNS = N_("Runs like “abcd” or “1234” are easy to guess.")
KEYBOARD = N_("Keys next to each other on the keyboard (like “qwerty” or “1qaz2wsx”) are easy to guess.")
DATES = N_("Dates and years are easy to guess.")
LOOKALIKES = N_("Swapping letters for look-alike symbols (like @ for a, 0 for o) does not make a common word safe.")
GUESSABLE = N_("This password is easy to guess.")
ADVICE = N_("Choose a phrase of three or four words that others would not guess.")
_NO_ADVICE = frozenset({TOO_SHORT, TOO_LONG})


def _email_words(email: str | None) -> list[str]:
    """The address and its parts, e.g. 'ana.li@orga.example' -> ['ana.li@orga.example', 'ana.li', 'ana', 'li', 'orga']."""
    if not email:
        return []
    lowered = email.lower()
    local, _, domain = lowered.partition("@")
    parts = [w for w in local.replace("_", ".").replace("-", ".").replace("+", ".").split(".") if len(w) >= 3]
    return list(dict.fromkeys([lowered, local, *parts, *[d for d in domain.split(".")[:-1] if len(d) >= 3]]))


def _cause(matches: list[dict], email_words: set[str]) -> str:
    """The plain-words cause of a low score, from the patterns zxcvbn found (most telling first)."""
    def found(pattern: str, **where) -> bool:
        return any(m["pattern"] == pattern and all(m.get(k) == v for k, v in where.items()) for m in matches)

    if any(m["pattern"] == "dictionary" and m.get("dictionary_name") == "user_inputs"
           and m.get("matched_word", "").lower() in email_words for m in matches):
        return EMAIL
    if found("dictionary", dictionary_name="passwords"):
        return COMMON
    if found("spatial"):
        return KEYBOARD
    if found("repeat"):
        return REPEATS
    if found("sequence"):
        return RUNS
    if found("date") or found("regex", regex_name="recent_year"):
        return DATES
    if found("dictionary", l33t=True):
        return LOOKALIKES
    return GUESSABLE


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Raise WeakPassword naming the cause, e.g. check_password_policy("1qaz2wsx") -> a keyboard pattern or too common."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(TOO_SHORT, n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(TOO_LONG, n=MAX_LENGTH)
    lowered = password.lower()
    words = _email_words(email)
    if words and lowered in words[:2]:
        raise WeakPassword(EMAIL)
    if lowered in common_passwords():
        raise WeakPassword(COMMON)
    result = zxcvbn(password[:_ZXCVBN_LENGTH], user_inputs=[*words, *_SITE_WORDS])
    if result["score"] < MIN_SCORE:
        raise WeakPassword(_cause(result["sequence"], set(words)))


def hash_password(password: str) -> str:
    """An argon2id hash (PHC string with its own salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash at the next login."""
    return _HASHER.check_needs_rehash(password_hash)


# A real hash of a random string: verifying against it when the user does not exist takes as long as for
# a real user, so the time a login takes does not reveal which emails have accounts.
@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))
