"""`elip-map campaign send`: the yearly verification mail, one per organization, through ELIP_SMTP_URL;
`elip-map campaign bounces`: the delivery reports that came back later, read from the bounce mailbox."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from ..verification.bounces import MailboxError, MaildirInbox, MboxInbox, scan_messages
from ..verification.campaign import deliver_pending, queue_campaign
from ..verification.mailer import MailConfigError, parse_smtp_url
from ._common import database, settings


def _check_bounce_settings(cfg) -> None:
    if cfg.bounce_address and not cfg.secret_key:
        raise MailConfigError("ELIP_BOUNCE_ADDRESS needs ELIP_SECRET_KEY (the same as the web server's): it signs "
                              "each mail's bounce address")


def _deliver(cfg, db, target):
    domain = urlsplit(cfg.public_url or "").hostname or "elip-map.local"
    delivered = deliver_pending(db, target, sender=cfg.mail_from, reply_to=cfg.mail_reply_to, message_id_domain=domain,
                                bounce_address=cfg.bounce_address, secret_key=cfg.secret_key)
    click.echo(f"sent {delivered.sent}; bounced {delivered.bounced}; to retry later {delivered.retry}; "
               f"failed {delivered.failed}")


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
        _check_bounce_settings(cfg)
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
    _deliver(cfg, db, target)
    db.dispose()


@campaign.command("deliver")
def deliver() -> None:
    """Send the mails now due in the queue (retries after a temporary failure); run it from cron every few minutes."""
    cfg = settings()
    try:
        target = parse_smtp_url(cfg.smtp_url)
        _check_bounce_settings(cfg)
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from None
    db = database(cfg)
    _deliver(cfg, db, target)
    db.dispose()


@campaign.command("bounces")
@click.option("--maildir", type=click.Path(file_okay=False, path_type=Path),
              help="the bounce mailbox as a Maildir; every message read is moved to its 'processed' folder")
@click.option("--mbox", type=click.Path(dir_okay=False, path_type=Path),
              help="the bounce mailbox as an mbox file (read only)")
def bounces(maildir: Path | None, mbox: Path | None) -> None:
    """Record the bounces that came back after sending: delivery reports in the mailbox of ELIP_BOUNCE_ADDRESS.

    A report counts when it is addressed to a mail's own signed bounce address (or, without one,
    names the mail's Message-ID and recipient) and says the delivery failed for good; a delay
    notice is not a bounce. Safe to run again: nothing is recorded twice. Run it from cron.
    """
    cfg = settings()
    if maildir is None and mbox is None:
        raise click.UsageError("name the bounce mailbox: --maildir DIR or --mbox FILE")
    if not cfg.secret_key:
        raise click.ClickException("ELIP_SECRET_KEY must be set (the same as when the mails were sent): "
                                   "it checks each bounce address")
    try:
        inboxes = [MaildirInbox(maildir)] if maildir is not None else []
        inboxes += [MboxInbox(mbox)] if mbox is not None else []
    except MailboxError as exc:
        raise click.ClickException(str(exc)) from None
    db = database(cfg)
    try:
        for inbox in inboxes:
            scan = scan_messages(db.session, inbox.messages(), secret_key=cfg.secret_key,
                                 bounce_address=cfg.bounce_address, done=inbox.done)
            for _org, address, reason in scan.recorded:
                click.echo(f"bounced: {address} ({reason})")
            for _org, address, reason in scan.gave_up:
                click.echo(f"not delivered, the receiving server gave up: {address} ({reason})")
            click.echo(f"read {scan.read} message(s): {len(scan.recorded)} bounce(s) recorded; "
                       f"{len(scan.gave_up)} gave up; {scan.delayed} delay notice(s), not bounces (the mail "
                       f"server is still trying); {scan.already} already recorded; {scan.reached} about e-mails "
                       f"whose link was opened (not recorded); {scan.ignored} not about a verification e-mail, "
                       "or not verifiable (ignored)")
    finally:
        db.dispose()


COMMANDS = [campaign]
