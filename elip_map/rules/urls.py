"""Web addresses: only http(s) links ever reach a page or a file (no ``javascript:`` or ``data:``)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_website(url: str | None) -> str | None:
    """Only http(s) links reach the page: safe_website('javascript:alert(1)') -> None."""
    if not url:
        return None
    url = url.strip()
    if "://" not in url and "." in url and " " not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url
