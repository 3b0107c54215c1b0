"""Backup and restore of the whole database: one portable file, from SQLite to PostgreSQL and back.

The directory's HSDS export alone is not the whole state: accounts and their password hashes,
sessions, the audit log, pending and decided change requests, verification mails and geocode results
live beside it. A backup therefore copies every table, row by row, and a restore puts back exactly
those rows (see ``archive``).
"""

from .archive import BackupError, Summary, read_summary, restore_backup, tables, write_backup

__all__ = ["BackupError", "Summary", "read_summary", "restore_backup", "tables", "write_backup"]
