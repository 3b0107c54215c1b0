"""A service's eligibility and an organization's private contact as plain data, for exporters (HSDS
JSON) and APIs: one place that knows the columns, so an exporter never reads them one by one."""

from __future__ import annotations

from ..rules.eligibility import eligibility_dict
from .models import Organization, Service


def service_eligibility(service: Service) -> dict:
    """HSDS-style eligibility of one service::

        {"eligible_statuses": ["refugee-claimant"], "minimum_age": 18, "maximum_age": None, "gender": None,
         "fee": "free", "eligibility_description": "Bring ID", "fees_description": "Free"}

    An empty ``eligible_statuses`` means *not known* (the public page says "ask about eligibility").
    """
    return eligibility_dict(service.eligible_statuses, service.minimum_age, service.maximum_age, service.gender,
                            service.fee, service.eligibility, service.fees)


def organization_contact(organization: Organization) -> dict:
    """The organization's private contact: only for staff pages and ``--private`` exports, never public."""
    return {"contact_email": organization.contact_email, "contact_language": organization.contact_language,
            "contact_phone": organization.contact_phone}
