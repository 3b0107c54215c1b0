"""The service-type taxonomy: stable slugs (stored, in URLs) with English labels and spreadsheet synonyms.

Aligned with the categories of Canada's Settlement Program plus the other needs newcomers bring to ELIP.
Labels are translated through the i18n catalogues; synonyms are lower-case words seen in real spreadsheets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceType:
    slug: str
    label: str
    synonyms: tuple[str, ...] = ()


SERVICE_TYPES: tuple[ServiceType, ...] = (
    ServiceType("needs-assessment-referral", "Needs assessment and referral",
                ("needs assessment", "referral", "referrals", "nars", "assessment and referral", "case management")),
    ServiceType("information-orientation", "Information and orientation",
                ("information", "orientation", "settlement", "settlement services", "settlement support", "newcomer services",
                 "information and orientation", "i&o", "settlement information", "accueil et établissement", "établissement")),
    ServiceType("language-assessment", "Language assessment",
                ("language assessment", "clb assessment", "clba", "clbpt", "english assessment", "esl assessment", "esl intake")),
    ServiceType("language-training", "Language training",
                ("language training", "language classes", "english classes", "esl", "linc", "english", "english as a second language",
                 "ell", "language", "cours de langue", "french classes")),
    ServiceType("employment", "Employment",
                ("employment", "jobs", "job search", "employment services", "career", "careers", "work", "emploi")),
    ServiceType("community-connections", "Community connections",
                ("community connections", "community", "community programs", "mentoring", "volunteering", "social", "connections")),
    ServiceType("interpretation-translation", "Interpretation and translation",
                ("interpretation", "translation", "interpreting", "interpreters", "translation services", "interprétation", "traduction")),
    ServiceType("health", "Health", ("health", "health care", "healthcare", "medical", "clinic", "santé")),
    ServiceType("mental-health-counselling", "Mental health and counselling",
                ("mental health", "mental-health", "counselling", "counseling", "therapy", "trauma", "psychosocial", "santé mentale")),
    ServiceType("legal-immigration", "Legal and immigration",
                ("legal", "immigration", "legal aid", "legal services", "refugee claims", "immigration law", "juridique")),
    ServiceType("housing", "Housing", ("housing", "shelter", "rent", "accommodation", "homelessness", "logement")),
    ServiceType("food", "Food", ("food", "food bank", "meals", "hampers", "groceries", "alimentation")),
    ServiceType("family-children", "Family and children",
                ("family", "children", "family-children", "family and children", "parenting", "childcare", "child care", "famille")),
    ServiceType("youth", "Youth", ("youth", "teens", "young people", "jeunesse")),
    ServiceType("seniors", "Seniors", ("seniors", "elders", "older adults", "aînés")),
    ServiceType("women", "Women", ("women", "women's services", "femmes")),
    ServiceType("2slgbtqi", "2SLGBTQI+", ("2slgbtqi+", "lgbtq", "lgbtq+", "lgbt", "queer", "2slgbtq+", "2slgbtqia+")),
    ServiceType("francophone", "Francophone services",
                ("francophone", "francophone services", "french services", "services en français", "en français")),
    ServiceType("education", "Education", ("education", "school", "schools", "upgrading", "academic", "éducation")),
    ServiceType("faith-cultural", "Faith and cultural community",
                ("faith", "cultural", "faith and cultural community", "religious", "culture", "cultural community", "faith community")),
)

BY_SLUG: dict[str, ServiceType] = {t.slug: t for t in SERVICE_TYPES}
SLUGS: tuple[str, ...] = tuple(BY_SLUG)


def _key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Mental-Health ' -> 'mental health'."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = text.replace("&", " and ")
    return re.sub(r"[\s_\-/]+", " ", text).strip(" .")


_LOOKUP: dict[str, str] = {}
for _t in SERVICE_TYPES:
    for _word in (_t.slug, _t.label, *_t.synonyms):
        _LOOKUP.setdefault(_key(_word), _t.slug)
    # Accent-free variants, for spreadsheets typed without accents ("etablissement").
    for _word in _t.synonyms:
        _plain = unicodedata.normalize("NFKD", _key(_word)).encode("ascii", "ignore").decode()
        _LOOKUP.setdefault(_plain, _t.slug)


def resolve_service_type(text: str) -> str | None:
    """Slug for a slug, label or synonym, or None: resolve_service_type('ESL') -> 'language-training'."""
    key = _key(text)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    plain = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    return _LOOKUP.get(plain)
