"""The validation report: what happened to each spreadsheet row, in words a data steward understands.

Row numbers are the ones the person sees in their spreadsheet (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..i18n import N_, format_number, translator
from ..rules.cells import neutralise_cell

IMPORTED = "imported"
UPDATED = "updated"
UNCHANGED = "unchanged"
CORRECTED = "corrected"
REJECTED = "rejected"
MERGED = "duplicate-merged"
SKIPPED = "skipped"
# A row's status as staff read it (the audit log's import entries count rows by status).
STATUS_WORDS = {IMPORTED: N_("Imported"), UPDATED: N_("Updated"), UNCHANGED: N_("Unchanged"),
                CORRECTED: N_("Corrected"), REJECTED: N_("Rejected"), MERGED: N_("Merged as duplicates"),
                SKIPPED: N_("Skipped")}


class ImportRefused(Exception):
    """A file-level problem: the import is refused and nothing is written.

    With ``values``, ``message`` is a catalogue message (marked with ``N_`` where it is written) whose
    ``{placeholders}`` they fill, so the refusal can be shown in the reader's language
    (:meth:`translated`); ``str()`` is the English. Without, the message is English only.
    """

    def __init__(self, message: str, report: "ImportReport | None" = None, *, values: dict | None = None):
        self.template = message if values is not None else None
        self.values = dict(values or {})
        super().__init__(_render(message, self.values, "en") if values is not None else message)
        self.report = report

    def translated(self, ui: str) -> str:
        """The refusal in language ``ui``: numbers written the way that language writes them."""
        if self.template is None:
            return str(self)
        return _render(self.template, self.values, ui)


def _render(template: str, values: dict, ui: str) -> str:
    shown = {k: format_number(v, ui) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
             for k, v in values.items()}
    return translator(ui)(template, **shown)


@dataclass
class RowReport:
    row: int
    status: str = IMPORTED
    organization: str = ""
    location: str = ""
    action: str = ""  # created / updated / unchanged / merged / none: what the database got
    messages: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "; ".join(self.messages)


@dataclass
class ImportReport:
    source: str
    rows: list[RowReport] = field(default_factory=list)
    file_notes: list[str] = field(default_factory=list)
    refused: str | None = None
    dry_run: bool = False
    applied: bool = False
    directory_changed: bool = False
    geocoding: str | None = None
    refusal: ImportRefused | None = field(default=None, repr=False, compare=False)  # for the translated message

    def counts(self) -> Counter:
        return Counter(r.status for r in self.rows)

    @property
    def rejected(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == REJECTED]

    def summary(self, max_problems: int = 5, ui: str = "en") -> str:
        """A few lines for the terminal: counts, file notes and the first problems (a refusal in language ``ui``)."""
        lines = []
        if self.refused:
            _ = translator(ui)
            reason = self.refusal.translated(ui) if self.refusal is not None else self.refused
            lines.append(_("Import of {file} REFUSED, nothing was written: {reason}", file=self.source, reason=reason))
        elif self.dry_run:
            lines.append(f"Dry run of {self.source}: nothing was written.")
        else:
            change = "the directory changed" if self.directory_changed else "nothing in the directory changed"
            lines.append(f"Imported {self.source}: {change}.")
        counts = self.counts()
        if counts:
            order = (IMPORTED, UPDATED, CORRECTED, UNCHANGED, MERGED, REJECTED, SKIPPED)
            lines.append("Rows: " + ", ".join(f"{counts[k]} {k}" for k in order if counts[k]))
        lines.extend(f"Note: {note}" for note in self.file_notes)
        if self.geocoding:
            lines.append(f"Geocoding: {self.geocoding}")
        problems = [r for r in self.rows if r.status in (REJECTED, CORRECTED, MERGED) and r.messages]
        for r in problems[:max_problems]:
            lines.append(f"  row {r.row} {r.status}: {r.text}")
        if len(problems) > max_problems:
            lines.append(f"  ... and {len(problems) - max_problems} more rows with messages (see --report FILE)")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "source": self.source, "refused": self.refused, "dry_run": self.dry_run, "applied": self.applied,
            "directory_changed": self.directory_changed, "file_notes": self.file_notes,
            "geocoding": self.geocoding, "counts": dict(self.counts()),
            "rows": [asdict(r) for r in self.rows],
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "status", "action", "organization", "location", "messages"])
        for note in self.file_notes:
            writer.writerow(["", "note", "", "", "", _safe(note)])
        if self.refused:
            writer.writerow(["", "refused", "", "", "", _safe(self.refused)])
        for r in self.rows:
            writer.writerow([r.row, r.status, r.action, _safe(r.organization), _safe(r.location), _safe(r.text)])
        return out.getvalue()

    def write(self, path: str | Path) -> None:
        """Write as JSON when the name ends in .json, else as CSV."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            path.write_text(self.to_csv(), encoding="utf-8-sig", newline="")


def _safe(text: str) -> str:
    """The report is opened in spreadsheets too: neutralise formula-looking text from the data."""
    return neutralise_cell(text or "")
