"""Open Referral HSDS 3.0: the directory out (JSON, tabular, read-only API) and other systems' data in.

``export`` builds HSDS objects from the directory, ``tabular`` flattens them into the CSV data package
and back, ``shapes`` recognises every published JSON shape, ``reader`` turns HSDS organizations into
import records, ``api`` serves the read-only HSDS API under ``/hsds/``, ``validate`` checks objects
against the schema shipped in ``schema/``.
"""
