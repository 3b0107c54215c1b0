"""Eligibility in the reader's words: the "Who I am" question, and the line each card shows.

The vocabulary (slugs) is ``elip_map.rules.eligibility``; the words here are the interface's, so they
are translated. ``assets/elip_map.js`` writes the same line from :func:`browser_eligibility_labels`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..i18n import N_, translator
from ..rules.eligibility import STATUS_SLUGS

# The question's answers, asked in plain words (no "everyone": a person has one status).
STATUS_ANSWERS = {
    "permanent-resident": N_("Permanent resident"),
    "protected-person": N_("Refugee with protected person status (convention refugee)"),
    "refugee-claimant": N_("Refugee claimant (waiting for a decision)"),
    "temporary-worker": N_("Temporary foreign worker"),
    "international-student": N_("International student"),
    "visitor": N_("Visitor"),
    "cuaet": N_("Ukrainian arrival (CUAET)"),
    "citizen": N_("Canadian citizen"),
}
# What a card says when the reader's status (or everyone) is served.
STATUS_SERVED = {
    "permanent-resident": N_("Open to permanent residents"),
    "protected-person": N_("Open to protected persons and convention refugees"),
    "refugee-claimant": N_("Open to refugee claimants"),
    "temporary-worker": N_("Open to temporary foreign workers"),
    "international-student": N_("Open to international students"),
    "visitor": N_("Open to visitors"),
    "cuaet": N_("Open to Ukrainian (CUAET) arrivals"),
    "citizen": N_("Open to Canadian citizens"),
    "everyone": N_("Open to everyone"),
}
FEE_WORDS = {"free": N_("Free"), "low-cost": N_("Low cost"), "fee": N_("Fee")}
GENDER_WORDS = {"women": N_("Women only"), "men": N_("Men only")}
ASK = N_("Ask about eligibility")
AGES = N_("Ages {ages}")
WHO_I_AM = N_("Who I am")
WHO_I_AM_HINT = N_("Optional. Shows the services you can use. Your answer stays in this page's address: it is never stored.")
PREFER_NOT = N_("Prefer not to say")


def status_options(ui: str) -> list[dict]:
    _ = translator(ui)
    return [{"label": _(PREFER_NOT), "value": ""}] + [
        {"label": _(STATUS_ANSWERS[slug]), "value": slug} for slug in STATUS_SLUGS if slug in STATUS_ANSWERS]


def eligibility_line(listing: Mapping, ui: str, status: str | None = None) -> str:
    """The card's answer to "can I use it?": 'Open to refugee claimants', 'Ask about eligibility', ...

    With a status chosen, the card explains why it is shown; without one it lists who is served.
    """
    _ = translator(ui)
    served: Sequence[str] = listing.get("elig") or []
    parts: list[str] = []
    if status and (status in served or "everyone" in served):
        key = "everyone" if "everyone" in served else status
        parts.append(_(STATUS_SERVED[key]))
    elif not status and served:
        parts.extend(_(STATUS_SERVED[s]) for s in served if s in STATUS_SERVED)
    if listing.get("elig_unknown") and not parts:
        parts.append(_(ASK))
    if listing.get("ages"):
        ages = listing["ages"]
        parts.append(_(AGES, ages=ages))
    gender = GENDER_WORDS.get(listing.get("gender") or "")
    if gender:
        parts.append(_(gender))
    return " · ".join(parts)


def fee_line(listing: Mapping, ui: str) -> str:
    """'Free', 'Low cost · $20 per class' (the level in the reader's language, then the note as written)."""
    _ = translator(ui)
    levels = [_(FEE_WORDS[f]) for f in listing.get("fee_levels") or [] if f in FEE_WORDS]
    note = listing.get("fees") or ""
    return " · ".join([*levels, *([note] if note else [])])


def browser_eligibility_labels(ui: str) -> dict:
    """What assets/elip_map.js needs to write the same lines."""
    _ = translator(ui)
    return {"served": {k: _(v) for k, v in STATUS_SERVED.items()}, "fees": {k: _(v) for k, v in FEE_WORDS.items()},
            "gender": {k: _(v) for k, v in GENDER_WORDS.items()}, "ask": _(ASK), "ages": _(AGES)}
