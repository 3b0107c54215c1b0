"""The audit log: every change to the directory records who, when, what, before and after.

Importers, reviewers, the partner page, account administration and the CLI all call
:func:`record_audit` inside the same transaction as the change, so a change and its log entry are
stored together or not at all. It lives with the directory because every room that changes the
directory writes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..rules.cells import neutralise_cell
from .models import Base, utcnow
from .users import User  # noqa: F401  (registers the table audit_log.actor_id points at)


class AuditEntry(Base):
    """Who changed what in the directory, when, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"), Index("ix_audit_log_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # Kept as text too, so the log still names a user after the account is deleted (or "import", "system").
    actor_label: Mapped[str] = mapped_column(String(300), nullable=False)
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


def _actor(actor: Any) -> tuple[int | None, str]:
    """(user id, label) for a User, a SessionUser, a plain label ("import: file.csv") or None."""
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    return getattr(actor, "id", None), getattr(actor, "email", None) or str(actor)


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates and times as ISO text), so any snapshot can be stored."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))


def record_audit(session: Session, actor: Any, action: str, entity_type: str, entity_id: Any,
                 before: dict | None, after: dict | None) -> AuditEntry:
    """Add one audit entry in the caller's transaction, e.g. record_audit(s, user, "location.pin", "location", 7, {...}, {...})."""
    actor_id, label = _actor(actor)
    entry = AuditEntry(actor_id=actor_id, actor_label=label[:300], action=action, entity_type=entity_type,
                       entity_id=None if entity_id is None else str(entity_id), before=_plain(before),
                       after=_plain(after))
    session.add(entry)
    return entry


def audit_entries(session: Session, *, entity_type: str | None = None, entity_id: Any = None,
                  action: str | None = None, limit: int | None = 500) -> list[AuditEntry]:
    """Newest first, optionally for one entity or one action."""
    q = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if entity_type:
        q = q.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        q = q.where(AuditEntry.entity_id == str(entity_id))
    if action:
        q = q.where(AuditEntry.action == action)
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


AUDIT_CSV_COLUMNS = ("id", "at", "actor", "action", "entity_type", "entity_id", "before", "after")


def audit_rows(entries: Iterable[AuditEntry]) -> list[dict[str, str]]:
    """Plain rows for the table and the CSV export."""
    return [{"id": str(e.id), "at": e.at.isoformat(sep=" ", timespec="seconds") if isinstance(e.at, dt.datetime) else str(e.at),
             "actor": e.actor_label, "action": e.action, "entity_type": e.entity_type, "entity_id": e.entity_id or "",
             "before": json.dumps(e.before, ensure_ascii=False, sort_keys=True) if e.before is not None else "",
             "after": json.dumps(e.after, ensure_ascii=False, sort_keys=True) if e.after is not None else ""}
            for e in entries]


def audit_csv(entries: Iterable[AuditEntry]) -> str:
    """The audit log as CSV text, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_CSV_COLUMNS)
    writer.writeheader()
    for row in audit_rows(entries):
        writer.writerow({k: neutralise_cell(v) for k, v in row.items()})
    return out.getvalue()
