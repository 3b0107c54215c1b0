"""Who can use a service: immigration statuses, age range, gender, fee (one vocabulary for every layer).

Spreadsheets say "PR; refugee claimants", "open to all", "Free", "18+ women only"; the directory stores
status slugs, ages, a gender and a fee level, the newcomer page filters on the slugs and explains each
card in plain words. A service whose statuses are not known stays findable, marked "ask about
eligibility": an empty status list means *unknown*, never *nobody*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .text import fold


@dataclass(frozen=True)
class Status:
    slug: str
    label: str  # how the newcomer page names it (English; translated where shown)
    served: str  # the card's explanation, "Open to ..."
    words: tuple[str, ...]  # what sheets write, folded (lower case, no accents)


STATUSES: tuple[Status, ...] = (
    Status("permanent-resident", "Permanent resident", "Open to permanent residents",
           ("pr", "prs", "permanent resident", "permanent residents", "permanent residence", "landed immigrant",
            "landed immigrants", "resident permanent", "residents permanents")),
    Status("protected-person", "Protected person or convention refugee", "Open to protected persons and refugees",
           ("protected person", "protected persons", "convention refugee", "convention refugees", "refugee",
            "refugees", "resettled refugee", "resettled refugees", "government assisted refugee", "gar", "gars",
            "privately sponsored refugee", "psr", "psrs", "refugie", "refugies", "personne protegee")),
    Status("refugee-claimant", "Refugee claimant", "Open to refugee claimants",
           ("refugee claimant", "refugee claimants", "claimant", "claimants", "asylum seeker", "asylum seekers",
            "refugee claimant s", "demandeur d asile", "demandeurs d asile")),
    Status("temporary-worker", "Temporary foreign worker", "Open to temporary foreign workers",
           ("temporary foreign worker", "temporary foreign workers", "tfw", "tfws", "temporary worker",
            "temporary workers", "work permit", "work permit holders", "travailleur temporaire",
            "travailleurs temporaires")),
    Status("international-student", "International student", "Open to international students",
           ("international student", "international students", "student", "students", "study permit",
            "study permit holders", "etudiant international", "etudiants internationaux")),
    Status("visitor", "Visitor", "Open to visitors",
           ("visitor", "visitors", "visitor visa", "tourist", "tourists", "visiteur", "visiteurs")),
    Status("cuaet", "Ukrainian arrival (CUAET)", "Open to Ukrainian (CUAET) arrivals",
           ("cuaet", "ukrainian", "ukrainians", "ukrainian arrivals", "ukrainian newcomers",
            "canada ukraine authorization for emergency travel")),
    Status("citizen", "Canadian citizen", "Open to naturalised citizens",
           ("citizen", "citizens", "naturalised citizen", "naturalized citizen", "naturalised citizens",
            "naturalized citizens", "canadian citizen", "canadian citizens", "citoyen", "citoyens")),
    Status("everyone", "Everyone", "Open to everyone",
           ("everyone", "all", "open to all", "open to everyone", "anyone", "all newcomers", "no restrictions",
            "no restriction", "all welcome", "everyone welcome", "any status", "all statuses", "public",
            "general public", "tous", "ouvert a tous")),
)
BY_SLUG = {s.slug: s for s in STATUSES}
STATUS_SLUGS = tuple(s.slug for s in STATUSES)
_WORDS = {w: s.slug for s in STATUSES for w in s.words}

FEES = ("free", "low-cost", "fee")
FEE_LABELS = {"free": "Free", "low-cost": "Low cost", "fee": "Fee"}
_FEE_WORDS = (
    # Checked in this order: "free" inside "fee-free" or "no fee" means free.
    ("free", ("free", "no fee", "no fees", "no cost", "no charge", "gratuit", "gratuite", "0", "none", "nil")),
    ("low-cost", ("low cost", "low-cost", "sliding scale", "subsidized", "subsidised", "reduced", "donation",
                  "by donation", "nominal", "minimal", "small fee", "cout modique")),
    ("fee", ("fee", "fees", "paid", "cost", "charge", "payant", "$")),
)
GENDERS = ("women", "men")
_GENDER_WORDS = {"women": ("women", "woman", "female", "females", "girls", "femmes", "women only", "mothers"),
                 "men": ("men", "man", "male", "males", "boys", "hommes", "men only", "fathers")}


@dataclass
class Eligibility:
    """What one eligibility cell says, and the words it could not place (for the import report)."""

    statuses: list[str] = field(default_factory=list)
    minimum_age: int | None = None
    maximum_age: int | None = None
    gender: str | None = None
    unknown: list[str] = field(default_factory=list)


_AGE_RANGE = re.compile(r"\b(\d{1,2})\s*(?:-|–|to|à)\s*(\d{1,2})\b")
_AGE_MIN = re.compile(r"\b(\d{1,2})\s*(?:\+|and (?:over|older|up)|years and (?:over|older)|ans et plus)")
_AGE_MAX = re.compile(r"\b(?:under|younger than|moins de)\s*(\d{1,2})\b")
_SPLIT = re.compile(r"[;,/|\n&]+|\band\b|\bor\b|\bet\b|\bou\b")
_LEAD = re.compile(r"^(?:open to|only|for|serves|serving|ages?|youth|pour|ouvert aux?)\s+")
_TRAIL = re.compile(r"\s+(?:only|welcome|seulement|bienvenus?)$")
_FILLER = {"ages", "age", "years", "ans", "yrs", "old", "years old", "youth", "adults", "seniors", "only"}


def _phrase_hits(part: str) -> set[str]:
    """Statuses named inside a longer phrase ("newly arrived permanent residents"), longest words first,
    so "refugee claimants" is not also read as "refugee"."""
    hits: set[str] = set()
    taken = part
    for word in sorted(_WORDS, key=len, reverse=True):
        if len(word) > 3 and re.search(rf"\b{re.escape(word)}\b", taken):
            hits.add(_WORDS[word])
            taken = re.sub(rf"\b{re.escape(word)}\b", " ", taken)
    return hits


def parse_eligibility(text: str | None) -> Eligibility:
    """Read the words people write: parse_eligibility('PR; refugee claimants').statuses
    -> ['permanent-resident', 'refugee-claimant']; 'open to all' -> ['everyone']."""
    out = Eligibility()
    raw = (text or "").lower()
    if not raw.strip():
        return out
    # Ages first, and taken out so "18-64" is not read as a list of two words.
    m = _AGE_RANGE.search(raw)
    if m and int(m.group(1)) <= int(m.group(2)):
        out.minimum_age, out.maximum_age = int(m.group(1)), int(m.group(2))
        raw = raw[:m.start()] + " " + raw[m.end():]
    else:
        m = _AGE_MIN.search(raw)
        if m:
            out.minimum_age = int(m.group(1))
            raw = raw[:m.start()] + " " + raw[m.end():]
        m = _AGE_MAX.search(raw)
        if m:
            out.maximum_age = int(m.group(1)) - 1
            raw = raw[:m.start()] + " " + raw[m.end():]
    found: set[str] = set()
    for piece in _SPLIT.split(raw):
        part = fold(piece)
        for _ in range(2):
            part = _TRAIL.sub("", _LEAD.sub("", part))
        if not part or part in _FILLER:
            continue
        if part in _WORDS:
            found.add(_WORDS[part])
            continue
        words = part.split()
        gender = next((g for g, names in _GENDER_WORDS.items() if part in names or (words and words[0] in names)), None)
        if gender:
            out.gender = gender
            rest = " ".join(w for w in words[1:] if w not in _FILLER)
            if not rest:
                continue
            part = rest
            if part in _WORDS:
                found.add(_WORDS[part])
                continue
        hits = _phrase_hits(part)
        if hits:
            found |= hits
        else:
            out.unknown.append(piece.strip())
    if "everyone" in found:
        found = {"everyone"}
    out.statuses = [s for s in STATUS_SLUGS if s in found]
    return out


def parse_fee(text: str | None) -> str | None:
    """parse_fee('Free') -> 'free'; parse_fee('$20 sliding scale') -> 'low-cost'; parse_fee('') -> None."""
    raw = " ".join(fold(text or "").replace("-", " ").split())
    if not raw:
        return None
    if raw in FEES:
        return raw
    for level, words in _FEE_WORDS:
        for word in words:
            if word == "$" and "$" in (text or ""):
                return level
            if word != "$" and re.search(rf"(?<!\w){re.escape(word.replace('-', ' '))}(?!\w)", raw):
                return level
    return None


def join_statuses(slugs: Iterable[str] | None) -> str | None:
    """The stored form: 'permanent-resident;refugee-claimant' in vocabulary order; None when unknown."""
    wanted = set(slugs or ())
    if "everyone" in wanted:
        return "everyone"
    kept = [s for s in STATUS_SLUGS if s in wanted]
    return ";".join(kept) or None


def split_statuses(stored: str | None) -> list[str]:
    """The slugs of a stored value; an unknown or empty value gives []."""
    return [s for s in (stored or "").split(";") if s in BY_SLUG]


def eligibility_dict(statuses: str | None, minimum_age: int | None, maximum_age: int | None,
                     gender: str | None, fee: str | None, note: str | None, fees_note: str | None = None) -> dict:
    """One service's eligibility as plain data (HSDS-style names), for exports and APIs.

    >>> eligibility_dict("refugee-claimant", 18, None, None, "free", "Bring ID")["eligible_statuses"]
    ['refugee-claimant']
    """
    return {"eligible_statuses": split_statuses(statuses), "minimum_age": minimum_age, "maximum_age": maximum_age,
            "gender": gender, "fee": fee, "eligibility_description": note or None, "fees_description": fees_note or None}


def serves(statuses: Iterable[str] | None, status: str | None) -> bool | None:
    """Does a service with these statuses serve ``status``? True, False, or None when its statuses are unknown."""
    known = list(statuses or [])
    if not status:
        return True
    if not known:
        return None
    return status in known or "everyone" in known


def age_text(minimum_age: int | None, maximum_age: int | None) -> str:
    """'18+', '12–17', 'up to 5', or '' (English digits and signs read the same in every interface language)."""
    if minimum_age is not None and maximum_age is not None:
        return f"{minimum_age}–{maximum_age}"
    if minimum_age is not None:
        return f"{minimum_age}+"
    if maximum_age is not None:
        return f"0–{maximum_age}"
    return ""
