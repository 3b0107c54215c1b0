"""Password policy and hashing: argon2id, at least 8 characters, no composition rules, no common passwords.

The common-password list is built here from well-known patterns (keyboard rows, counting, the words
people reach for first, local names with years); it is small on purpose and written by us, not copied.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..i18n import reader_translator

MIN_LENGTH = 8
MAX_LENGTH = 256  # bounds the hashing work an attacker can ask for

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
    """The password breaks the policy; the message says why in plain words."""


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Raise WeakPassword with a plain reason, e.g. check_password_policy("short") -> too short."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(reader_translator().ngettext("The password must have at least {n} character.",
                                                         "The password must have at least {n} characters.", MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise WeakPassword(reader_translator().ngettext("The password must have at most {n} character.",
                                                         "The password must have at most {n} characters.", MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords():
        _ = reader_translator()
        raise WeakPassword(_("This password is too common; choose a longer phrase that others "
                                               "would not guess."))
    if email and lowered in {email.lower(), email.split("@")[0].lower()}:
        _ = reader_translator()
        raise WeakPassword(_("The password must not be the email address."))


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
