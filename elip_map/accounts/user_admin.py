"""Account management by staff (the /staff/users page), audit-logged; never logs or returns a password."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..directory.audit import record_audit
from ..directory.storage import Database
from ..i18n import N_, reader_translator
from .passwords import WeakPassword
from .service import AccountError, create_user, end_all_sessions, find_user, list_users, set_password

# (key, heading): headings are message ids, translated where the table is drawn.
USER_COLUMNS = [("email", N_("Email")), ("role", N_("Role")), ("organization", N_("Organization")),
                ("active", N_("Active")), ("last_login", N_("Last login"))]


def user_rows(session: Session) -> list[dict]:
    """One row per account, in the reader's words (roles, yes/no, "never")."""
    _ = reader_translator()
    roles = {"staff": _("ELIP staff"), "partner": _("partner organization")}
    return [{"email": u.email, "role": roles.get(u.role, u.role), "organization": u.organization.name if u.organization else "",
             "active": _("yes") if u.active else _("no"),
             "last_login": u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else _("never")}
            for u in list_users(session)]


def manage_user(database: Database, staff: Any, adding: bool, *, email: str | None, role: str | None,
                organization_id: Any, password: str | None, reset_email: str | None,
                reset_password: str | None, toggle: bool = False, ui: str = "en") -> tuple[bool, str, list[dict]]:
    """Add an account, reset a password, or (``toggle``) disable/enable the account named by ``reset_email``;
    returns (ok, message for the page, refreshed account rows). A refused password is explained in ``ui``."""
    _ = reader_translator()
    if not getattr(staff, "is_staff", False):
        raise PermissionError("staff only")
    try:
        with database.session() as s:
            if adding:
                org = int(organization_id) if organization_id not in (None, "") and role == "partner" else None
                user = create_user(s, email or "", password or "", role or "", organization_id=org)
                record_audit(s, staff, "user.create", "user", user.id, None,
                             {"email": user.email, "role": user.role, "organization_id": org})
                message = _("Account {email} created.", email=user.email)
            elif toggle:
                user = find_user(s, reset_email or "")
                if user is None:
                    raise AccountError(_("There is no account for {email}.", email=(reset_email or "").strip()))
                if user.id == staff.id:
                    raise AccountError(_("You cannot disable your own account."))
                user.active = not user.active
                if not user.active:
                    end_all_sessions(s, user.id)
                record_audit(s, staff, "user.enable" if user.active else "user.disable", "user", user.id,
                             {"active": not user.active}, {"active": user.active})
                message = (_("Account {email} enabled.", email=user.email) if user.active else
                           _("Account {email} disabled; its sessions have ended.", email=user.email))
            else:
                user = find_user(s, reset_email or "")
                if user is None:
                    raise AccountError(_("There is no account for {email}.", email=(reset_email or "").strip()))
                set_password(s, user, reset_password or "")
                record_audit(s, staff, "user.reset-password", "user", user.id, None, None)
                message = _("Password reset for {email}; their sessions have ended.", email=user.email)
        ok = True
    except WeakPassword as exc:
        ok, message = False, exc.text(ui)
    except AccountError as exc:
        ok, message = False, str(exc)
    with database.session() as s:
        rows = user_rows(s)
    return ok, message, rows
