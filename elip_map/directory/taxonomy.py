"""The service-type taxonomy: stable slugs (stored, in URLs) with English labels and spreadsheet synonyms.

Aligned with the categories of Canada's Settlement Program plus the other needs newcomers bring to ELIP.
Labels are translated through the i18n catalogues; synonyms are lower-case words seen in real spreadsheets.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_
from ..rules.text import fold


@dataclass(frozen=True)
class ServiceType:
    slug: str
    label: str
    synonyms: tuple[str, ...] = ()


SERVICE_TYPES: tuple[ServiceType, ...] = (
    ServiceType("needs-assessment-referral", N_("Needs assessment and referral"),
                ("needs assessment", "referral", "referrals", "nars", "assessment and referral", "case management")),
    ServiceType("information-orientation", N_("Information and orientation"),
                ("information", "orientation", "settlement", "settlement services", "settlement support", "newcomer services",
                 "information and orientation", "i&o", "settlement information", "accueil et établissement", "établissement")),
    ServiceType("language-assessment", N_("Language assessment"),
                ("language assessment", "clb assessment", "clba", "clbpt", "english assessment", "esl assessment", "esl intake")),
    ServiceType("language-training", N_("Language training"),
                ("language training", "language classes", "english classes", "esl", "linc", "english", "english as a second language",
                 "ell", "language", "cours de langue", "french classes")),
    ServiceType("employment", N_("Employment"),
                ("employment", "jobs", "job search", "employment services", "career", "careers", "work", "emploi")),
    ServiceType("community-connections", N_("Community connections"),
                ("community connections", "community", "community programs", "mentoring", "volunteering", "social", "connections")),
    ServiceType("interpretation-translation", N_("Interpretation and translation"),
                ("interpretation", "translation", "interpreting", "interpreters", "translation services", "interprétation", "traduction")),
    ServiceType("health", N_("Health"), ("health", "health care", "healthcare", "medical", "clinic", "santé")),
    ServiceType("mental-health-counselling", N_("Mental health and counselling"),
                ("mental health", "mental-health", "counselling", "counseling", "therapy", "trauma", "psychosocial", "santé mentale")),
    ServiceType("legal-immigration", N_("Legal and immigration"),
                ("legal", "immigration", "legal aid", "legal services", "refugee claims", "immigration law", "juridique")),
    ServiceType("housing", N_("Housing"), ("housing", "shelter", "rent", "accommodation", "homelessness", "logement")),
    ServiceType("food", N_("Food"), ("food", "food bank", "meals", "hampers", "groceries", "alimentation")),
    ServiceType("family-children", N_("Family and children"),
                ("family", "children", "family-children", "family and children", "parenting", "childcare", "child care", "famille")),
    ServiceType("youth", N_("Youth"), ("youth", "teens", "young people", "jeunesse")),
    ServiceType("seniors", N_("Seniors"), ("seniors", "elders", "older adults", "aînés")),
    ServiceType("women", N_("Women"), ("women", "women's services", "femmes")),
    ServiceType("2slgbtqi", N_("2SLGBTQI+"), ("2slgbtqi+", "lgbtq", "lgbtq+", "lgbt", "queer", "2slgbtq+", "2slgbtqia+")),
    ServiceType("francophone", N_("Francophone services"),
                ("francophone", "francophone services", "french services", "services en français", "en français")),
    ServiceType("education", N_("Education"), ("education", "school", "schools", "upgrading", "academic", "éducation")),
    ServiceType("faith-cultural", N_("Faith and cultural community"),
                ("faith", "cultural", "faith and cultural community", "religious", "culture", "cultural community", "faith community")),
)

BY_SLUG: dict[str, ServiceType] = {t.slug: t for t in SERVICE_TYPES}
SLUGS: tuple[str, ...] = tuple(BY_SLUG)


def _key(text: str) -> str:
    """The shared text key, with '&' read as 'and': 'Mental-Health & Counselling' -> 'mental health and counselling'."""
    return fold(text.replace("&", " and "))


_LOOKUP: dict[str, str] = {}
for _t in SERVICE_TYPES:
    for _word in (_t.slug, _t.label, *_t.synonyms):
        _LOOKUP.setdefault(_key(_word), _t.slug)


def resolve_service_type(text: str) -> str | None:
    """Slug for a slug, label or synonym, or None: resolve_service_type('ESL') -> 'language-training'."""
    key = _key(text)
    if not key:
        return None
    return _LOOKUP.get(key)
