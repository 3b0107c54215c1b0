"""Staff and partner tables on a right-to-left page: each data cell takes its direction from its own text.

Without it, an Arabic page draws the address "11713 82 St NW" as "St NW 11713 82" and "450 m" as "m 450"
(seen on the Arabic data-health page); an Arabic organization name must still read right to left."""

from __future__ import annotations

from dash import html

from elip_map.components.staff_ui import diff_table, simple_table


def _cells(node, kind):
    found = []
    if isinstance(node, kind):
        found.append(node)
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found.extend(_cells(child, kind))
    return found


def test_every_data_cell_of_a_simple_table_follows_its_own_text():
    rows = [{"name": "مركز العائلة العربية", "address": "11713 82 St NW, Edmonton", "apart": "450 m"}]
    table = simple_table([("name", "المنظمة"), ("address", "العنوان"), ("apart", "المسافة")], rows, "caption")
    cells = _cells(table, html.Td)
    assert [c.children for c in cells] == ["مركز العائلة العربية", "11713 82 St NW, Edmonton", "450 m"]
    assert all(getattr(c, "dir", None) == "auto" for c in cells)


def test_before_and_after_of_a_proposed_change_follow_their_own_text():
    table = diff_table([{"field": "Address", "before": "9538 107 Ave NW", "after": "9540 107 Ave NW"}], "caption")
    cells = _cells(table, html.Td)
    assert len(cells) == 2 and all(getattr(c, "dir", None) == "auto" for c in cells)
