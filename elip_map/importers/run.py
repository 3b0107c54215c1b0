"""The import entry point: pick the reader for a file's format, then write the plan all or nothing.

Readers (``spreadsheet`` for CSV/XLSX; ``hsds`` for HSDS JSON in any published shape and for the HSDS
tabular package, a zip or a folder) never touch the database; ``writer`` applies what they planned in
one transaction.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..config import Settings
from ..i18n import N_
from .hsds import plan_from_hsds, plan_from_package
from .records import check_plan
from .limits import ImportLimits, check_size, refuse
from .report import ImportRefused, ImportReport
from .spreadsheet import build_plan, map_headers, read_table
from .writer import apply_plan

log = logging.getLogger(__name__)

# The last line of defence: a file that makes a reader fail in a way no check foresaw is still refused
# in plain words (nothing is written yet); the traceback goes to the log for the maintainers.
UNEXPECTED = N_("The file could not be read ({cause}); nothing was written. Check that it is a CSV, XLSX or HSDS "
                "file, and send it to the site's maintainers if it is.")


def import_file(database, path, *, settings=None, dry_run: bool = False, strict: bool = False,
                max_bytes: int | None = None, geocode: bool = True, actor=None) -> ImportReport:
    """Import a CSV, XLSX, HSDS JSON or HSDS tabular package (zip or folder), completely or not at all.

    Raises :class:`ImportRefused` (nothing written) for a file-level problem, or with ``strict`` when
    any row is rejected. Returns the row-by-row report otherwise.
    """
    settings = settings or Settings.from_env()
    path = Path(path)
    report = ImportReport(source=path.name, dry_run=dry_run)
    limit = settings.max_upload_bytes if max_bytes is None else max_bytes
    limits = ImportLimits.from_settings(settings, limit)
    try:
        if not path.is_file() and not path.is_dir():
            raise ImportRefused(f"there is no file at '{path}'")
        if path.is_file():
            check_size(path.stat().st_size, limit)
        if path.is_dir() or path.suffix.lower() == ".zip":  # HSDS tabular package: sizes checked as it unpacks
            plan = plan_from_package(path, limit, report, limits)
        elif path.suffix.lower() == ".json":
            data = path.read_bytes()
            check_size(len(data), limit)  # the file may have grown since stat
            plan = plan_from_hsds(data, report, limits)
        else:
            data = path.read_bytes()
            check_size(len(data), limit)
            table = read_table(data, path.name, limits)
            header = map_headers(table.headers)
            report.file_notes.extend(table.notes + header.notes)
            if table.carried:
                report.file_notes.append(f"{len(table.carried)} row(s) took a value from a merged cell above them")
            if table.blank_rows:
                report.file_notes.append(f"{len(table.blank_rows)} blank row(s) skipped")
            plan = build_plan(table, header, report)
        if strict and report.rejected:
            raise ImportRefused(f"{len(report.rejected)} row(s) rejected and --strict was given "
                                f"(first: row {report.rejected[0].row}, {report.rejected[0].text})")
        if not plan.organizations:
            raise ImportRefused("no row could be imported" if report.rows else "the file has no data rows")
        problems = check_plan(plan)
        if problems:
            raise ImportRefused("some values cannot be stored: " + "; ".join(problems))
    except ImportRefused as exc:
        _refused(report, exc)
        raise
    except Exception as exc:  # noqa: BLE001 - see UNEXPECTED
        log.exception("import of %s failed while reading", path.name)
        refusal = refuse(UNEXPECTED, cause=exc.__class__.__name__)
        _refused(report, refusal)
        raise refusal from None
    apply_plan(database, plan, report, settings=settings, dry_run=dry_run, geocode=geocode, actor=actor)
    report.rows.sort(key=lambda r: r.row)
    return report


def _refused(report: ImportReport, exc: ImportRefused) -> None:
    report.refused, report.refusal = str(exc), exc
    exc.report = report
