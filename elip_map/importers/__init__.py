"""Import of the service directory from partner spreadsheets and HSDS files.

``run.import_file`` is the entry point: ``spreadsheet`` reads CSV/XLSX and ``hsds`` reads HSDS JSON
into records (``records``), cleaned by the pure rules in ``normalize``; ``writer`` applies them in one
transaction; ``report`` says what happened to every row (and holds ``ImportRefused``).
"""
