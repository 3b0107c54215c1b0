"""Reading a Dash component tree the way the unit tests need it (shared: one walker, not one per file)."""

from __future__ import annotations


def walk(component):
    """The component and every component inside it, depth first (text children are skipped)."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)
