"""Compress once, serve many times: brotli and gzip copies of a body that never changes.

Feeds change only with the directory, outlines and static files only with a release; compressing
them per request (what Flask-Compress does) spends a worker's CPU on the same bytes again and again,
and at a lower level than a one-time compression can afford.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import brotli


@dataclass(frozen=True)
class Precompressed:
    """One body in every encoding a browser may accept (identity, brotli, gzip)."""

    raw: bytes
    br: bytes
    gz: bytes

    @classmethod
    def of(cls, raw: bytes, *, quality: int = 11) -> "Precompressed":
        return cls(raw, brotli.compress(raw, quality=quality), gzip.compress(raw, compresslevel=9, mtime=0))

    def choose(self, accept_encodings) -> tuple[bytes, str | None]:
        """The smallest body this request accepts, and its Content-Encoding (None: identity)."""
        if "br" in accept_encodings:
            return self.br, "br"
        if "gzip" in accept_encodings:
            return self.gz, "gzip"
        return self.raw, None
