"""`elip-map user ...`: create accounts, reset passwords, list accounts.

Passwords come from a hidden prompt or the ELIP_USER_PASSWORD variable, never from a command-line
argument (those show up in process lists and shell history).
"""

from __future__ import annotations

import os

import click

from ..accounts.models import ROLES
from ..accounts.passwords import WeakPassword
from ..accounts.service import AccountError, create_user, find_user, list_users, set_password
from ..directory.audit import record_audit
from ..geocoding.notes import ACTOR_COMMAND_LINE
from ._common import database

PASSWORD_ENV = "ELIP_USER_PASSWORD"


def _read_password() -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("user")
def user() -> None:
    """Manage staff and partner accounts."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="staff: review, import, manage; "
              "partner: one organization's listings")
@click.option("--organization", "organization_id", type=int, help="organization id (partners only)")
@click.option("--name", "display_name", help="name shown to staff")
def add(email: str, role: str, organization_id: int | None, display_name: str | None) -> None:
    """Create an account for EMAIL (password from a prompt or ELIP_USER_PASSWORD)."""
    password = _read_password()
    try:
        with database().session() as session:
            created = create_user(session, email, password, role, organization_id=organization_id,
                                  display_name=display_name)
            record_audit(session, ACTOR_COMMAND_LINE(), "user.create", "user", created.id, None,
                         {"email": created.email, "role": role, "organization_id": organization_id})
            label = f"{created.email} ({role}, id {created.id})"
    except (AccountError, WeakPassword) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {label}.")


@user.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Set a new password for EMAIL and end all of that account's sessions."""
    password = _read_password()
    try:
        with database().session() as session:
            found = find_user(session, email)
            if found is None:
                raise AccountError(f"There is no account for {email}.")
            set_password(session, found, password)
            record_audit(session, ACTOR_COMMAND_LINE(), "user.reset-password", "user", found.id, None, None)
    except (AccountError, WeakPassword) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Password changed for {email.strip().lower()}; its sessions have ended.")


@user.command("list")
def list_() -> None:
    """List accounts: email, role, organization, active."""
    with database().session() as session:
        for u in list_users(session):
            org = f"organization {u.organization_id}" if u.organization_id else "-"
            click.echo(f"{u.id}\t{u.email}\t{u.role}\t{org}\t{'active' if u.active else 'disabled'}")


COMMANDS = [user]
