"""Open Referral HSDS 3.0: the directory out (JSON, tabular, read-only API) and other systems' data in.

``export`` builds HSDS objects from the directory, ``tabular`` flattens them into the CSV data package
and joins a package's tables back, ``shapes`` recognises every published JSON shape, ``api`` serves the
read-only HSDS API under ``/hsds/`` (``catalogue`` and ``openapi`` behind it), ``validate`` checks
objects against the schema shipped in ``schema/``. The room sits below ``importers``: turning HSDS
organizations into import records is ``importers.hsds``, so ``importers.run`` can dispatch to it.
"""
