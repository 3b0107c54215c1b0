"""When is a page layout being rendered for a visitor, and when is Dash only validating ids?"""

from __future__ import annotations

from flask import has_request_context, request


def rendering_for_a_visitor() -> bool:
    """True only while Dash's router callback renders a page for a request.

    Dash also calls every page's layout once to build the validation layout, which it then embeds in
    every page it serves to anyone: that call must return the full component skeleton (so callbacks
    validate) and never any data or per-user content.
    """
    return has_request_context() and request.path.endswith("/_dash-update-component")
