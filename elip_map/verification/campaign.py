"""A verification campaign: queue one mail per organization, deliver the queue, record the replies.

Queueing and delivering are separate steps, each committed row by row, so a campaign survives a
restart at any point: queueing again skips organizations that already have a live mail, and
delivery picks up exactly the rows not yet sent (a row claimed by a sender that died is taken up
again after ``LEASE``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from babel.dates import get_day_names
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..directory.models import Location, Organization, utcnow
from ..directory.storage import Database, bump_directory_version
from ..geocoding.notes import ACTOR_COMMAND_LINE, ACTOR_MAIL_SERVER, ACTOR_VERIFICATION_LINK, display_note
from ..i18n import N_, babel_locale, match_tag, reader_translator, reader_ui, translator
from ..directory.audit import record_audit
from ..review.changes import NOTHING_CHANGED, InvalidChange, location_snapshot, submit_change
from ..review.health import stale_cutoff
from ..rules.phones import display_phone
from .links import link_url, make_token
from .mailer import Bounce, SmtpTarget, TemporaryFailure, bounce_token, build_message, send, verp_address
from .models import MailStatus, VerificationMail

MAX_ATTEMPTS = 6
LEASE = dt.timedelta(minutes=10)  # a row claimed longer ago than this belongs to a sender that stopped
NO_REPLY_AFTER = dt.timedelta(days=14)
LIVE = (MailStatus.QUEUED.value, MailStatus.SENDING.value, MailStatus.SENT.value)

SUBJECT = N_("Please check your listings on the ELIP Service Map")
BODY = N_("""Hello,

The Edmonton Local Immigration Partnership (ELIP) keeps its map of newcomer services accurate by asking every organization, once a year, to check its listings. These are the listings of {organization}:

{locations}

Please open your personal link to confirm that they are still correct, or to propose changes. No password is needed:

{link}

The link works until {expires}. It is only for {organization}: please do not forward it.

Questions? Reply to this e-mail.

ELIP Service Map""")


def backoff(attempts: int) -> dt.timedelta:
    """Wait before retry number ``attempts``: 2, 4, 8, ... minutes, at most 6 hours."""
    return dt.timedelta(minutes=min(2 ** attempts, 360))


# Languages a contact may prefer (codes of the staff page's language list) whose readers read one of
# the interface languages: Cantonese is written in Traditional Chinese.
_WRITTEN_AS = {"yue": "zh-Hant", "zh-hk": "zh-Hant", "zh-tw": "zh-Hant"}


def mail_language(code: str | None) -> str:
    """The interface language a contact's mail is written in: their preferred language when the site
    speaks it ('pa' -> 'pa', 'zh' -> 'zh-Hans', 'fa-AF' -> 'prs', 'yue' -> 'zh-Hant'), else English."""
    key = (code or "").strip().replace("_", "-").lower()
    return _WRITTEN_AS.get(key) or match_tag(key) or "en"


def _hours_text(rows, ui: str = "en") -> str:
    """'Mon 9:00-17:00, ...' with the day names of the mail's language (CLDR)."""
    days = get_day_names("abbreviated", locale=babel_locale(ui))
    return ", ".join(f"{days[d - 1]} {o // 60}:{o % 60:02d}-{c // 60}:{c % 60:02d}" for d, o, c in rows)


def _location_lines(org: Organization, ui: str = "en") -> str:
    lines = []
    for loc in sorted(org.locations, key=lambda item: item.id):
        if loc.closed:
            continue
        address = loc.physical_address
        snap_hours = location_snapshot(loc)["hours"]
        parts = [loc.name or "", address.one_line() if address else "",
                 ", ".join(display_phone(p.number, p.extension) for p in loc.phones), _hours_text(snap_hours, ui)]
        lines.append("- " + " | ".join(p for p in parts if p))
    return "\n".join(lines) or "-"


@dataclass
class QueueResult:
    queued: list[int] = field(default_factory=list)  # organization ids
    already: list[int] = field(default_factory=list)  # a live mail exists (queued, being sent or sent, unexpired)
    no_contact: list[int] = field(default_factory=list)


def stale_organization_ids(session: Session, months: int, today: dt.date) -> set[int]:
    cutoff = stale_cutoff(today, months)
    return set(session.scalars(select(Location.organization_id).where(
        Location.closed.is_(False), or_(Location.last_verified.is_(None), Location.last_verified < cutoff))))


def queue_campaign(session: Session, *, secret_key: str, public_url: str, link_days: int, stale_months: int,
                   stale_only: bool = False, organization_ids: Iterable[int] | None = None, actor: str = ACTOR_COMMAND_LINE(),
                   now: dt.datetime | None = None) -> QueueResult:
    """Queue one mail per chosen organization that has a contact and no live mail yet."""
    if not public_url or not public_url.startswith(("http://", "https://")):
        raise ValueError("ELIP_PUBLIC_URL must be the site's address starting with https:// (or http://): "
                         "the links in the e-mails point there")
    now = now or utcnow()
    stmt = select(Organization).options(
        selectinload(Organization.locations).selectinload(Location.addresses),
        selectinload(Organization.locations).selectinload(Location.phones),
        selectinload(Organization.locations).selectinload(Location.schedules),
        selectinload(Organization.locations).selectinload(Location.service_links)).order_by(Organization.id)
    wanted = set(organization_ids or ())
    if wanted:
        stmt = stmt.where(Organization.id.in_(wanted))
    stale = stale_organization_ids(session, stale_months, now.date()) if stale_only else None
    live = set(session.scalars(select(VerificationMail.organization_id).where(
        VerificationMail.status.in_(LIVE), VerificationMail.expires_at > now,
        VerificationMail.used_at.is_(None))))
    result = QueueResult()
    campaign = f"{now:%Y-%m-%d %H:%M}"
    for org in session.scalars(stmt):
        if stale is not None and org.id not in stale:
            continue
        if org.id in live:
            result.already.append(org.id)
            continue
        if not org.contact_email:
            result.no_contact.append(org.id)
            continue
        language = mail_language(org.contact_language)
        _ = translator(language)
        expires = now + dt.timedelta(days=link_days)
        mail = VerificationMail(campaign=campaign, organization_id=org.id, to_address=org.contact_email,
                                language=language, subject=_(SUBJECT), body="", nonce=secrets.token_urlsafe(24),
                                status=MailStatus.QUEUED.value, attempts=0, next_attempt_at=now, created_at=now,
                                created_by=actor[:300], expires_at=expires)
        session.add(mail)
        session.flush()
        link = link_url(public_url, make_token(secret_key, mail.id, mail.nonce))
        mail.body = _(BODY, organization=org.name, locations=_location_lines(org, language), link=link,
                      expires=expires.date().isoformat())
        record_audit(session, actor, "verification.queue", "organization", org.id, None,
                     {"mail_id": mail.id, "to": org.contact_email, "language": language, "expires": expires})
        result.queued.append(org.id)
    return result


@dataclass
class DeliveryResult:
    sent: int = 0
    bounced: int = 0
    retry: int = 0
    failed: int = 0


def _claim(database: Database, now: dt.datetime) -> int | None:
    """Take the next due row (or one whose sender stopped), marking it ``sending`` in its own commit."""
    with database.session() as s:
        due = s.scalars(select(VerificationMail.id).where(or_(
            (VerificationMail.status == MailStatus.QUEUED.value) & (VerificationMail.next_attempt_at <= now),
            (VerificationMail.status == MailStatus.SENDING.value) & (VerificationMail.claimed_at < now - LEASE)))
            .order_by(VerificationMail.id).limit(5)).all()
        for mail_id in due:
            # Compare-and-set: of two senders racing for a row, exactly one sees rowcount 1.
            claimed = s.execute(update(VerificationMail).where(
                VerificationMail.id == mail_id, or_(VerificationMail.status == MailStatus.QUEUED.value,
                                                    VerificationMail.claimed_at < now - LEASE))
                .values(status=MailStatus.SENDING.value, claimed_at=now, attempts=VerificationMail.attempts + 1)
                .execution_options(synchronize_session=False)).rowcount
            if claimed == 1:
                return mail_id
    return None


def mark_bounced(session: Session, mail: VerificationMail, error: str, *, permanent: bool = True,
                 now: dt.datetime | None = None) -> None:
    """The one way a bounce is recorded, at SMTP time or from a later delivery report: the mail's status
    (bounced, or failed when the receiving server gave up), the reason, and an audit entry."""
    mail.status = MailStatus.BOUNCED.value if permanent else MailStatus.FAILED.value
    mail.last_error, mail.claimed_at = error, None
    if now is not None:
        mail.next_attempt_at = now  # no further attempt: the health page shows it as the bounce's date
    record_audit(session, ACTOR_MAIL_SERVER(), "verification.bounce", "organization", mail.organization_id,
                 None, {"mail_id": mail.id, "to": mail.to_address, "error": error})


def envelope_sender(mail: VerificationMail, bounce_address: str | None, secret_key: str | None) -> str | None:
    """The mail's own VERP envelope sender when ELIP_BOUNCE_ADDRESS is set, else None (the From address)."""
    if not bounce_address:
        return None
    return verp_address(bounce_address, bounce_token(secret_key or "", mail.id, mail.nonce))


def deliver_pending(database: Database, target: SmtpTarget, *, sender: str, reply_to: str | None,
                    message_id_domain: str = "elip-map.local", limit: int | None = None,
                    clock: Callable[[], dt.datetime] = utcnow, send_one=send, bounce_address: str | None = None,
                    secret_key: str | None = None) -> DeliveryResult:
    """Send every due mail, one commit per step; ``limit`` stops after that many attempts.
    With ``bounce_address`` (and the ``secret_key`` that signs it) each mail's envelope sender is its
    own VERP address, so a delivery report that comes back later names the mail (``bounces``)."""
    result = DeliveryResult()
    while limit is None or result.sent + result.bounced + result.retry + result.failed < limit:
        now = clock()
        mail_id = _claim(database, now)
        if mail_id is None:
            break
        with database.session() as s:
            mail = s.get(VerificationMail, mail_id)
            message = build_message(sender=sender, reply_to=reply_to, to=mail.to_address, subject=mail.subject,
                                    body=mail.body, message_id_domain=message_id_domain, key=f"verify.{mail.nonce[:12]}",
                                    language=mail.language)
            envelope = envelope_sender(mail, bounce_address, secret_key)
            attempts = mail.attempts
        outcome, error = MailStatus.SENT.value, None
        try:
            send_one(target, message, envelope_from=envelope)
        except Bounce as exc:
            outcome, error = MailStatus.BOUNCED.value, str(exc)
        except TemporaryFailure as exc:
            outcome = MailStatus.FAILED.value if attempts >= MAX_ATTEMPTS else MailStatus.QUEUED.value
            error = str(exc)
        with database.session() as s:
            mail = s.get(VerificationMail, mail_id)
            if outcome == MailStatus.BOUNCED.value:
                mark_bounced(s, mail, error)
                result.bounced += 1
                continue
            mail.status, mail.last_error, mail.claimed_at = outcome, error, None
            if outcome == MailStatus.SENT.value:
                mail.sent_at = clock()
                result.sent += 1
            elif outcome == MailStatus.QUEUED.value:
                mail.next_attempt_at = clock() + backoff(attempts)
                result.retry += 1
            else:
                result.failed += 1
    return result


# --- replies through the link --------------------------------------------------------------------

@dataclass(frozen=True)
class LinkActor:
    """Whoever holds a valid link: may act for that one organization, is not staff, has no account."""

    organization_id: int
    email: str
    id: None = None
    is_staff: bool = False


def link_actor(mail: VerificationMail) -> LinkActor:
    return LinkActor(mail.organization_id, ACTOR_VERIFICATION_LINK(mail=mail.id, address=mail.to_address))


def confirm_still_correct(session: Session, mail: VerificationMail, now: dt.datetime | None = None) -> int:
    """Every open location of the organization is verified today (versions untouched, so pending
    corrections do not turn into conflicts); returns how many."""
    now = now or utcnow()
    ids = list(session.scalars(select(Location.id).where(Location.organization_id == mail.organization_id,
                                                         Location.closed.is_(False))))
    if ids:
        session.execute(update(Location).where(Location.id.in_(ids)).values(last_verified=now.date())
                        .execution_options(synchronize_session=False))
    mail.confirmed_at = now
    record_audit(session, link_actor(mail).email, "verification.still-correct", "organization", mail.organization_id,
                 None, {"mail_id": mail.id, "locations": ids, "last_verified": now.date()})
    bump_directory_version(session)
    return len(ids)


def propose_changes(session: Session, mail: VerificationMail, payloads: dict[int, dict],
                    now: dt.datetime | None = None) -> list[int]:
    """Store each location's proposal as a pending change request (the review queue decides), then
    end the link. InvalidChange lists every problem, and nothing is stored, when any proposal is wrong."""
    actor = link_actor(mail)
    problems: list[str] = []
    created: list[int] = []
    for location_id, payload in payloads.items():
        try:
            request = submit_change(session, actor, location_id, payload)
        except InvalidChange as exc:
            if not exc.nothing_changed:
                problems.extend(exc.problems)
            continue
        request.submission_id = None
        created.append(request.id)
    if problems:
        raise InvalidChange(problems)
    if not created:
        _ = reader_translator()
        raise InvalidChange([_(NOTHING_CHANGED)], nothing_changed=True)
    mail.used_at = now or utcnow()
    return created


# --- data health -----------------------------------------------------------------------------------

# How a mail that did not arrive ended, as staff read it (message ids; the stored status stays the code).
MAIL_STATUS_WORDS = {MailStatus.BOUNCED.value: N_("bounced"), MailStatus.FAILED.value: N_("gave up after retrying")}


def bounced_mails(session: Session, *, ui: str | None = None) -> list[dict]:
    """Mails that bounced or were given up, newest first. ``status`` stays the stored code; ``status_text``
    and ``error`` (stored in English: "delivery report: 5.1.1 User unknown") are for a reader of ``ui``
    (default: the request's reader), the server's own words kept as it wrote them."""
    ui = ui or reader_ui()
    _ = translator(ui)
    stmt = (select(VerificationMail, Organization.name).join(Organization)
            .where(VerificationMail.status.in_((MailStatus.BOUNCED.value, MailStatus.FAILED.value)))
            .order_by(VerificationMail.id.desc()))
    return [{"organization": name, "to": m.to_address, "status": m.status,
             "status_text": _(MAIL_STATUS_WORDS[m.status]) if m.status in MAIL_STATUS_WORDS else m.status,
             "error": display_note(m.last_error, ui), "when": f"{m.next_attempt_at:%Y-%m-%d}"}
            for m, name in session.execute(stmt)]


def unanswered_mails(session: Session, now: dt.datetime | None = None) -> list[dict]:
    """Sent more than two weeks ago and neither confirmed nor answered with a change."""
    now = now or utcnow()
    stmt = (select(VerificationMail, Organization.name).join(Organization)
            .where(VerificationMail.status == MailStatus.SENT.value, VerificationMail.sent_at < now - NO_REPLY_AFTER,
                   VerificationMail.confirmed_at.is_(None), VerificationMail.used_at.is_(None))
            .order_by(VerificationMail.sent_at))
    return [{"organization": name, "to": m.to_address, "sent": f"{m.sent_at:%Y-%m-%d}",
             "expires": f"{m.expires_at:%Y-%m-%d}"} for m, name in session.execute(stmt)]
