"""Organization contacts for verification mail, kept by staff: validated, audited, never public."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.audit import record_audit
from ..directory.eligibility import organization_contact
from ..directory.languages import known_codes
from ..i18n import reader_translator
from ..directory.models import Organization
from ..review.changes import InvalidChange, ReviewError, get_or_refuse
from ..rules.phones import to_e164
from .campaign import bounced_mails, unanswered_mails

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def set_contact(session: Session, staff: Any, organization_id: Any, email: str | None, language: str | None,
                phone: str | None) -> dict:
    """Store the contact (staff only); InvalidChange lists every problem in plain words."""
    _ = reader_translator()
    if not getattr(staff, "is_staff", False):
        raise ReviewError(_("Only ELIP staff can change an organization's contact."))
    org = get_or_refuse(session, Organization, organization_id, _("Pick an organization."))
    problems = []
    email = (email or "").strip()
    if email and not EMAIL.match(email):
        problems.append(_("“{email}” is not an e-mail address.", email=email))
    language = (language or "").strip()
    if language and language not in known_codes():
        problems.append(_("“{code}” is not a language code this site knows.", code=language))
    phone = (phone or "").strip()
    if phone:
        try:
            phone = to_e164(phone)
        except ValueError:
            problems.append(_("“{value}” is not a phone number.", value=phone))
    if problems:
        raise InvalidChange(problems)
    before = organization_contact(org)
    org.contact_email, org.contact_language, org.contact_phone = email or None, language or None, phone or None
    after = organization_contact(org)
    if after != before:
        record_audit(session, staff, "organization.contact", "organization", org.id, before, after)
    return after


def contact_rows(session: Session) -> list[dict]:
    """Every organization with its contact, those without one first (staff only: callers check)."""
    rows = [{"value": oid, "organization": name, "email": email or "", "language": lang or "", "phone": phone or ""}
            for oid, name, email, lang, phone in session.execute(
                select(Organization.id, Organization.name, Organization.contact_email, Organization.contact_language,
                       Organization.contact_phone).order_by(Organization.name))]
    return sorted(rows, key=lambda r: bool(r["email"]))


def mail_health(session: Session, *, ui: str | None = None) -> dict:
    """Bounced (or given-up) mails and mails nobody answered, for the data-health page (why a mail did not
    arrive in the language of ``ui``, default the request's reader)."""
    return {"bounced": bounced_mails(session, ui=ui), "unanswered": unanswered_mails(session)}
