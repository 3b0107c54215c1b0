"""`elip-map campaign send`: the yearly verification mail, one per organization, through ELIP_SMTP_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from ..verification.campaign import deliver_pending, queue_campaign
from ..verification.mailer import MailConfigError, parse_smtp_url
from ._common import database, settings


@click.group("campaign")
def campaign() -> None:
    """Verification campaigns: ask each organization to confirm or correct its listings."""


@campaign.command("send")
@click.option("--stale-only", is_flag=True, help="only organizations with a listing not verified in ELIP_STALE_MONTHS")
@click.option("--organization", "organization_ids", type=int, multiple=True,
              help="only this organization id (repeat for several)")
def send(stale_only: bool, organization_ids: tuple[int, ...]) -> None:
    """Queue the verification mails and send every mail waiting in the queue.

    Safe to run again at any time (for example after a restart): an organization that already has a
    live link is not mailed twice, and mails not yet sent are sent.
    """
    cfg = settings()
    try:
        target = parse_smtp_url(cfg.smtp_url)
        if not cfg.secret_key:
            raise MailConfigError("ELIP_SECRET_KEY must be set (the same as the web server's): it signs the links")
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from None
    db = database(cfg)
    try:
        with db.session() as s:
            queued = queue_campaign(s, secret_key=cfg.secret_key, public_url=cfg.public_url or "",
                                    link_days=cfg.verify_link_days, stale_months=cfg.stale_months,
                                    stale_only=stale_only, organization_ids=organization_ids)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"queued {len(queued.queued)} mail(s); {len(queued.already)} organization(s) already have a live link; "
               f"{len(queued.no_contact)} have no contact e-mail (add one on the organization's contact)")
    domain = urlsplit(cfg.public_url or "").hostname or "elip-map.local"
    delivered = deliver_pending(db, target, sender=cfg.mail_from, reply_to=cfg.mail_reply_to, message_id_domain=domain)
    click.echo(f"sent {delivered.sent}; bounced {delivered.bounced}; to retry later {delivered.retry}; "
               f"failed {delivered.failed}")
    db.dispose()


@campaign.command("deliver")
def deliver() -> None:
    """Send the mails now due in the queue (retries after a temporary failure); run it from cron every few minutes."""
    cfg = settings()
    try:
        target = parse_smtp_url(cfg.smtp_url)
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from None
    db = database(cfg)
    domain = urlsplit(cfg.public_url or "").hostname or "elip-map.local"
    delivered = deliver_pending(db, target, sender=cfg.mail_from, reply_to=cfg.mail_reply_to, message_id_domain=domain)
    click.echo(f"sent {delivered.sent}; bounced {delivered.bounced}; to retry later {delivered.retry}; "
               f"failed {delivered.failed}")
    db.dispose()


COMMANDS = [campaign]
