"""Dash callback requests are forgeable: what no page of ours can send is refused with 400 before any
callback runs, and a callback that still trips over an input it cannot use answers 400, not 500.

A browser sends, for each input and state, the id of a component on the page and a value of the type
that component's property has. Dash 4 declares those types on every component class (the ``__init__``
annotations: ``dcc.Location(pathname: Optional[str])``), so the check is generic: find the component by
its id in the app's validation layout, then hold the value to its declared type. Values no browser makes
are refused whatever the component: integers beyond JavaScript's exact range (an id of 10^20), NaN and
infinities, ids that are neither text nor a flat object of text and numbers (null pattern keys).
Components a page builds later (pattern-matching rows) are found by their ``type`` key.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import logging
import math
import typing

from dash.exceptions import InvalidCallbackReturnValue, UnsupportedRelativePath
from flask import current_app, request
from sqlalchemy.exc import DataError, StatementError

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
MAX_SAFE_INTEGER = 2 ** 53 - 1  # the largest integer a browser's JSON.stringify writes exactly
MAX_DEPTH = 32
# Exceptions a callback raises when an input is not what its page sends: answered with 400.
# Dash's own two: a pathname no browser has ('x'), and an output list that does not match the page's
# components (a forged "outputs" part: the callback's answer cannot fit it).
INPUT_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, RecursionError,
                UnsupportedRelativePath, InvalidCallbackReturnValue)
_TYPES_KEY = "ELIP_CALLBACK_PROP_TYPES"


def is_input_error(exc: BaseException) -> bool:
    """True when ``exc`` means a callback could not use its inputs (a forged or garbled request)."""
    if isinstance(exc, DataError):  # the database refused a value (out of range, too long)
        return True
    if isinstance(exc, StatementError):  # raised while binding a value; a lost connection is not ours to hide
        return isinstance(getattr(exc, "orig", None), INPUT_ERRORS)
    return isinstance(exc, INPUT_ERRORS)


# --- declared property types -------------------------------------------------------------------------

def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def conforms(value, hint) -> bool:
    """Does ``value`` (decoded JSON) fit the type hint a Dash component declares? Unknown hints fit anything.

    conforms("x", Optional[str]) -> True; conforms(7, Optional[str]) -> False
    """
    if hint is typing.Any or hint is inspect.Parameter.empty:
        return True
    if hint is type(None):
        return value is None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        return any(conforms(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if origin is typing.Annotated:
        if any("Number" in getattr(m, "__name__", "") for m in args[1:]):
            return _is_number(value)
        return conforms(value, args[0])
    if hint is str:
        return isinstance(value, str)
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float, typing.SupportsFloat, typing.SupportsInt, typing.SupportsComplex):
        return _is_number(value)
    if origin in (list, collections.abc.Sequence, typing.Sequence) or hint in (list, typing.Sequence):
        return isinstance(value, list) and (not args or all(conforms(v, args[0]) for v in value))
    if hint is dict or origin is dict or typing.is_typeddict(hint):
        return isinstance(value, dict)
    return True  # components, functions and anything else this check does not model


@functools.cache
def _declared(component_class: type) -> dict:
    """A component class's property types (read once per class; classes never change)."""
    try:
        return {name: p.annotation for name, p in inspect.signature(component_class.__init__).parameters.items()}
    except (TypeError, ValueError):
        return {}


def _id_key(component_id):
    if isinstance(component_id, dict):
        return ("type", str(component_id.get("type")))
    return component_id


def prop_types(layout) -> dict:
    """(id, property) -> declared type, for every component with an id in ``layout``."""
    found = {}
    if layout is None:
        return found
    for component in [layout, *(c for c in layout._traverse())] if hasattr(layout, "_traverse") else []:
        component_id = getattr(component, "id", None)
        if component_id is None:
            continue
        key = _id_key(component_id)
        for name, hint in _declared(type(component)).items():
            found.setdefault((key, name), hint)
    return found


def _types_for_app():
    """The app's property types, read from Dash's validation layout (built at the app's first request)."""
    types = current_app.config.get(_TYPES_KEY)
    if types is None:
        dash_app = current_app.config.get("ELIP_DASH_APP")
        layout = getattr(dash_app, "validation_layout", None)
        if layout is None:
            return {}
        types = prop_types(layout)
        current_app.config[_TYPES_KEY] = types  # same answer for every request: the layout is fixed
    return types


# --- the request -------------------------------------------------------------------------------------

def _value_problem(value, depth: int = 0) -> str | None:
    if depth > MAX_DEPTH:
        return "nested too deeply"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int):
        return None if abs(value) <= MAX_SAFE_INTEGER else "an integer no browser sends"
    if isinstance(value, float):
        return None if math.isfinite(value) else "not a finite number"
    if isinstance(value, list):
        return next((p for v in value if (p := _value_problem(v, depth + 1))), None)
    if isinstance(value, dict):
        return next((p for v in value.values() if (p := _value_problem(v, depth + 1))), None)
    return "not JSON"


def _id_problem(component_id) -> str | None:
    if isinstance(component_id, str) and component_id:
        return None
    if isinstance(component_id, dict) and component_id and all(
            isinstance(k, str) and (isinstance(v, str) or (_is_number(v) and abs(v) <= MAX_SAFE_INTEGER))
            for k, v in component_id.items()):
        return None
    return "a component id that no page has"


def _item_problem(item, types: dict) -> str | None:
    if isinstance(item, list):  # a pattern-matching input: one entry per matched component
        return next((p for i in item if (p := _item_problem(i, types))), None)
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        return "not a callback input"
    if problem := _id_problem(item.get("id")) or _value_problem(item.get("value")):
        return problem
    hint = types.get((_id_key(item["id"]), item["property"]))
    if hint is not None and not conforms(item.get("value"), hint):
        return f"{item['property']} of the wrong type"
    return None


def request_problem(body, types: dict) -> str | None:
    """Why this callback request cannot come from one of our pages, or None when it may."""
    if not isinstance(body, dict):
        return "not a callback request"
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list):
            return "not a callback request"
        if problem := next((p for i in items if (p := _item_problem(i, types))), None):
            return problem
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "not a callback request"
    return None


def check_callback_request() -> str | None:
    """For a ``before_request``: the reason to refuse this callback request, or None."""
    if request.path != CALLBACK_PATH or request.method != "POST":
        return None
    problem = request_problem(request.get_json(silent=True), _types_for_app())
    if problem:
        log.warning("refused a callback request: %s", problem)
    return problem
