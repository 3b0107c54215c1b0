"""Which scripts and stylesheets a page loads: the newcomer page gets only what it uses.

Dash writes every registered bundle into every page: the DataTable bundle and the staff pages'
scripts reached a newcomer's phone that never shows them. Navigation between pages is by full page
load (the navbar's links are plain ``<a href>``), so each page can get its own set; a staff page
still gets everything.
"""

from __future__ import annotations

import re

# Pages a newcomer opens: no staff-only bundles there.
LIGHT_PATHS = frozenset({"/", "/about"})
# Bundles and assets only staff/partner pages use (DataTable on coverage; pin dragging on review). The
# dash-extensions bundle holds its components (none on the newcomer pages, which use only its Python
# ``Namespace`` helper, resolved by dash-leaflet itself): 18 KB compressed that a newcomer never runs.
STAFF_ONLY = ("/dash_table/", "/dash_extensions/", "/assets/coverage.", "/assets/elip_review.")
# Babel's polyfill: on a light page it only serves browsers without ES modules (2017 and older), which
# alone fetch it; the DataTable bundle needs its regeneratorRuntime, so staff pages keep it for everyone.
POLYFILL = "/deps/polyfill@"

_TAG = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"[^>]*>(?:</script>)?\n?')


def slim_tags(html: str, path: str) -> str:
    """``<script>``/``<link>`` tags for one page: on a light page staff-only ones are dropped and the
    polyfill is marked ``nomodule``. slim_tags('<script src="/x/dash_table/b.js"></script>', '/') -> ''"""
    light = (path or "/") in LIGHT_PATHS

    def keep(match: re.Match) -> str:
        url, tag = match.group(1), match.group(0)
        if light and any(part in url for part in STAFF_ONLY):
            return ""
        if light and POLYFILL in url and "nomodule" not in tag:
            return tag.replace("<script ", "<script nomodule ", 1)
        return tag

    return _TAG.sub(keep, html)


def slim_config(config: dict, path: str) -> dict:
    """The renderer's config for one page: no copy of every page's layout on a light page.

    Dash embeds a ``validation_layout`` (all pages' layouts, 10+ KB compressed) in every page so the
    browser can check callback ids, a developer aid; on a newcomer's page the check is left to the
    server (which still refuses unknown ids) and to the staff pages, which keep it.
    """
    if (path or "/") not in LIGHT_PATHS or "validation_layout" not in config:
        return config
    slim = {k: v for k, v in config.items() if k != "validation_layout"}
    slim["suppress_callback_exceptions"] = True
    return slim
