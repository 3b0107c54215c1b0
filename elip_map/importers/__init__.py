"""Import and export of the service directory.

``spreadsheet`` reads CSV/XLSX partner spreadsheets (and dispatches HSDS JSON to ``hsds``) into
records (``records``), cleaned by the pure rules in ``normalize``; ``writer`` applies them in one
transaction; ``report`` says what happened to every row. Entry point: ``spreadsheet.import_file``.
"""
