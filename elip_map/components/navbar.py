"""The app shell's navigation bar, language switcher, sample-data banner and footer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dash import html

from ..i18n import translator, ui_autonym, ui_choices


def nav_pages(registry: Mapping[str, Mapping]) -> list[Mapping]:
    """Pages that ask to be in the navigation (``nav=True`` in ``register_page``), in ``order``."""
    pages = [p for p in registry.values() if p.get("nav")]
    return sorted(pages, key=lambda p: (p.get("order") if p.get("order") is not None else 99, p.get("name", "")))


def _with_ui(path: str, ui: str) -> str:
    return path if ui == "en" else f"{path}?ui={ui}"


def navbar(ui: str, pathname: str, pages: Iterable[Mapping]) -> html.Nav:
    """Links to every navigable page (names through the catalogue) plus the interface-language links."""
    _ = translator(ui)
    pages = list(pages)
    links = []
    for page in pages:
        path = page.get("relative_path") or page.get("path") or "/"
        current = (pathname or "/") == path
        links.append(html.Li(html.A(_(page.get("nav_label") or page.get("name") or path), href=_with_ui(path, ui),
                                    className="elip-nav-link", **({"aria-current": "page"} if current else {}))))
    return html.Nav([
        skip_link(ui, pathname, pages),
        html.A(_("ELIP Service Map"), href=_with_ui("/", ui), className="elip-brand"),
        html.Ul(links, className="elip-nav-links"),
        language_picker(ui, pathname),
    ], className="elip-nav", **{"aria-label": _("Main navigation")})


def skip_link(ui: str, pathname: str, pages: Iterable[Mapping]) -> html.A:
    """The first Tab stop: past the navigation to the results on the newcomer page, to the page's main
    content elsewhere (every page's <main> is ``#main``; the results heading exists only on "/")."""
    _ = translator(ui)
    home = next((p.get("relative_path") or "/" for p in pages if p.get("path") == "/"), "/")
    if (pathname or "/") == home:
        return html.A(_("Skip to results"), href="#home-results-heading", className="elip-skip")
    return html.A(_("Skip to main content"), href="#main", className="elip-skip")


def language_picker(ui: str, pathname: str | None = None) -> html.Details:
    """Fourteen languages in one button: a native disclosure (keyboard and screen readers know it, no
    script needed) listing each language by its own name, as full-page links so the next page's first
    frame already has the right ``lang`` and ``dir``. assets/elip_map.js keeps the reader's filters in them."""
    _ = translator(ui)
    path = pathname or "/"
    items = [
        html.Li(html.A(c.name, href=c.href, lang=c.code, hrefLang=c.code, className="elip-ui-link", dir=c.dir,
                       **{"data-ui": c.code, **({"aria-current": "true"} if c.current else {})}))
        for c in ui_choices(ui, path)
    ]
    return html.Details([
        html.Summary([html.Span(className="elip-ui-icon", **{"aria-hidden": "true"}),
                      html.Span(ui_autonym(ui), lang=ui, className="elip-ui-current"),
                      html.Span(" · " + _("Language"), className="elip-visually-hidden")],
                     className="elip-ui-summary", title=_("Interface language")),
        html.Ul(items, className="elip-ui-links", **{"aria-label": _("Interface language")}),
    ], className="elip-ui-picker", id="elip-ui-picker")


def sample_banner(ui: str) -> html.P:
    _ = translator(ui)
    return html.P(_("This map shows sample data from public listings. It has not been checked by the "
                    "organizations: contact them before you go."), className="elip-banner", role="note")


def footer(ui: str) -> html.Footer:
    _ = translator(ui)
    return html.Footer([
        html.Span(_("Edmonton Local Immigration Partnership")), " · ",
        html.A(_("About and data sources"), href=_with_ui("/about", ui)),
    ], className="elip-footer")
