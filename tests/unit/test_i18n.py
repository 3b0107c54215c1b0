"""Interface languages: complete catalogues, placeholders kept, plural forms, negotiation, right-to-left."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from elip_map.components.filter_panel import language_options, service_options
from elip_map.components.home_context import BROWSER_PLURALS
from elip_map.i18n import (
    REVIEW_HEADER, SUPPORTED_UI, babel_locale, catalogue_path, format_date, format_distance, format_number, match_tag,
    negotiate_accept, plural_table, negotiate_ui, request_ui, review_status, text_direction, translator,
)
from elip_map.i18n.catalogues import extra_headers
from elip_map.i18n.locales import babel_locale_id
from components_kit import walk

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLURAL = ("{n} listing could not be placed on the map yet.", "{n} listings could not be placed on the map yet.")


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_catalogues", ROOT / "scripts" / "i18n_catalogues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def source_messages():
    """Every message marked in the package (the catalogue tool's own extraction: _, N_, ngettext)."""
    return {m.id: m for m in _tool().extract() if m.id}


def catalogue_problems(ui: str, path: Path, source) -> list[str]:
    """Everything wrong with one catalogue against the source, in words a translator can act on."""
    with path.open("rb") as fh:
        cat = read_po(fh, locale=babel_locale_id(ui))
    problems = []
    expected_plurals = get_plural(babel_locale_id(ui)).num_plurals
    if cat.num_plurals != expected_plurals:
        problems.append(f"Plural-Forms has {cat.num_plurals} forms, CLDR/Babel says {expected_plurals}")
    if REVIEW_HEADER not in extra_headers(path.read_text(encoding="utf-8")):
        problems.append(f"no {REVIEW_HEADER} header")
    for msgid, src in source.items():
        key = msgid if isinstance(msgid, str) else msgid[0]
        entry = cat.get(key)
        if entry is None or entry.fuzzy:
            problems.append(f"missing: {key!r}")
            continue
        if isinstance(msgid, tuple):
            forms = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
            if len(forms) != expected_plurals or not all(forms):
                problems.append(f"plural {key!r}: {len(forms)} forms, {sum(map(bool, forms))} filled, needs {expected_plurals}")
            allowed = set(PLACEHOLDER.findall(msgid[0])) | set(PLACEHOLDER.findall(msgid[1]))
            for form in forms:
                if not set(PLACEHOLDER.findall(form)) <= allowed:
                    problems.append(f"unknown placeholder in {key!r}: {form!r}")
        else:
            if not entry.string:
                problems.append(f"missing: {key!r}")
            elif set(PLACEHOLDER.findall(entry.string)) != set(PLACEHOLDER.findall(msgid)):
                problems.append(f"placeholders differ in {key!r}: {entry.string!r}")
    return problems


def test_the_contract_languages():
    assert SUPPORTED_UI == ("en", "fr", "ar", "zh-Hans", "zh-Hant", "pa", "tl", "es", "uk", "so", "ti", "am", "fa", "prs")


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_every_catalogue_is_complete(ui, source_messages):
    assert len(source_messages) > 120
    assert any(isinstance(k, tuple) for k in source_messages), "plural messages are extracted"
    assert catalogue_problems(ui, catalogue_path(ui), source_messages) == []


def test_the_completeness_check_fails_when_a_translation_is_missing(tmp_path, source_messages):
    path = tmp_path / "messages.po"
    shutil.copy(catalogue_path("so"), path)
    text = path.read_text(encoding="utf-8")
    text = text.replace('msgid "Zoom out"\nmsgstr "Yareey"', 'msgid "Zoom out"\nmsgstr ""')
    text = text.replace('msgstr "Wac {phone}"', 'msgstr "Wac {telefoon}"')
    # Somali needs two plural forms: drop the second.
    text = re.sub(r'(msgstr\[0\] "\{n\} adeeg[^\n]*\n)msgstr\[1\] "[^\n]*"', r'\1msgstr[1] ""', text)
    path.write_text(text, encoding="utf-8")
    problems = catalogue_problems("so", path, source_messages)
    assert "missing: 'Zoom out'" in problems
    assert any(p.startswith("placeholders differ in 'Call {phone}'") for p in problems)
    assert any(p.startswith(f"plural {PLURAL[0]!r}: 2 forms, 1 filled") for p in problems)


def test_the_catalogue_tool_adds_new_strings_empty_and_drops_old_ones(tmp_path, monkeypatch):
    """The lead's end-of-day run: a new English string shows up empty in every language, a removed one goes."""
    tool = _tool()
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "page.py").write_text('_("Find services")\n_("A brand new sentence {n}")\n'
                                     '_.ngettext("{n} bed", "{n} beds", 2)\n', encoding="utf-8")
    template = tool.extract(package)
    target, english = tmp_path / "uk" / "messages.po", tmp_path / "en" / "messages.po"
    for path, ui in ((target, "uk"), (english, "en")):
        path.parent.mkdir()
        shutil.copy(catalogue_path(ui), path)
    monkeypatch.setattr(tool, "catalogue_path", lambda ui: english if ui == "en" else target)
    assert tool.update("en", template, write=True)["missing"] == []  # English is filled with itself first...
    state = tool.update("uk", template, write=True)  # ... and that never leaks into another language
    assert state["missing"] == ["A brand new sentence {n}", "{n} bed"]
    with target.open("rb") as fh:
        cat = read_po(fh, locale="uk")
    assert cat.get("Find services").string == "Знайти послуги"  # kept
    assert cat.get("Zoom out") is None  # no longer in this (tiny) source: dropped
    assert cat.get("{n} bed").string == ("", "", "")  # three empty Ukrainian forms
    assert "python-brace-format" in cat.get("A brand new sentence {n}").flags
    assert extra_headers(target.read_text(encoding="utf-8"))[REVIEW_HEADER] == "no"


def test_review_status_is_read_from_each_catalogue_header():
    assert review_status("en") is True
    assert all(review_status(ui) is False for ui in SUPPORTED_UI if ui != "en")  # nobody has reviewed them yet


@pytest.mark.parametrize("n, english, arabic", [
    (0, "0 listings could not be placed on the map yet.", "لا توجد إدراجات تعذّر وضعها على الخريطة (0)."),
    (1, "1 listing could not be placed on the map yet.", "تعذّر وضع إدراج واحد على الخريطة بعد (1)."),
    (2, "2 listings could not be placed on the map yet.", "تعذّر وضع إدراجين على الخريطة بعد (2)."),
    (3, "3 listings could not be placed on the map yet.", "تعذّر وضع 3 إدراجات على الخريطة بعد."),
    (11, "11 listings could not be placed on the map yet.", "تعذّر وضع 11 إدراجًا على الخريطة بعد."),
    (100, "100 listings could not be placed on the map yet.", "تعذّر وضع 100 إدراج على الخريطة بعد."),
])
def test_plural_forms_in_english_and_arabic(n, english, arabic):
    """Arabic counts in six ways (zero, one, two, few 3-10, many 11-99, other 100+): CLDR's rules."""
    assert translator("en").ngettext(*PLURAL, n) == english
    assert translator("ar").ngettext(*PLURAL, n) == arabic


def test_plural_forms_in_ukrainian_and_chinese():
    uk = translator("uk")
    assert uk.ngettext(*PLURAL, 1).startswith("1 оголошення ")
    assert uk.ngettext(*PLURAL, 3).startswith("3 оголошення ")
    assert uk.ngettext(*PLURAL, 5).startswith("5 оголошень ")
    assert uk.ngettext(*PLURAL, 21).startswith("21 оголошення ")
    assert translator("zh-Hans").ngettext(*PLURAL, 1) == translator("zh-Hans").ngettext(*PLURAL, 7).replace("7", "1")


@pytest.mark.parametrize("n, english, arabic", [
    (0, "0 services", "لا توجد خدمات"), (1, "1 service", "خدمة واحدة"), (2, "2 services", "خدمتان"),
    (3, "3 services", "3 خدمات"), (11, "11 services", "11 خدمةً"), (100, "100 services", "100 خدمة"),
])
def test_service_counts_have_plural_forms(n, english, arabic):
    """"{n} services" (the printed list, the map's clusters) counts with the language's plural forms."""
    assert translator("en").ngettext("{n} service", "{n} services", n) == english
    assert translator("ar").ngettext("{n} service", "{n} services", n) == arabic
    uk = translator("uk")
    assert [uk.ngettext("{n} service", "{n} services", k) for k in (1, 3, 5, 21)] == [
        "1 послуга", "3 послуги", "5 послуг", "21 послуга"]


def test_every_count_message_has_the_plural_forms_babel_asks_for(source_messages):
    """A message with a count is a plural message, with as many forms as CLDR's rules give the language
    (Arabic six, Ukrainian three, Chinese and Persian one)."""
    no_noun = {"Showing {shown} of {n}"}  # a ratio of two numbers: no counted word to inflect
    counts = [k for k in source_messages if isinstance(k, str) and "{n}" in k and k not in no_noun]
    assert counts == [], f"count messages without plural forms: {counts}"
    plurals = [k for k in source_messages if isinstance(k, tuple)]
    assert len(plurals) >= 5
    for ui in SUPPORTED_UI:
        with catalogue_path(ui).open("rb") as fh:
            cat = read_po(fh, locale=babel_locale_id(ui))
        for singular, _plural in plurals:
            forms = cat.get(singular).string
            assert len(forms) == get_plural(babel_locale_id(ui)).num_plurals and all(forms), (ui, singular)
    assert get_plural("ar").num_plurals == 6 and get_plural("uk").num_plurals == 3


def test_the_browser_writes_the_same_count_as_the_server():
    """The browser picks a form by ``Intl.PluralRules`` category (plural_table); for every count it must
    write what ``_.ngettext`` writes, in every language (Punjabi's CLDR "one" holds 0; Arabic's "other" 100)."""
    for ui in SUPPORTED_UI:
        _ = translator(ui)
        locale = babel_locale(ui)
        for one, many in BROWSER_PLURALS:
            table = plural_table(ui, one, many)
            for n in range(0, 1200):
                browser = table["0"] if n == 0 else table[locale.plural_form(n)]
                assert browser == _._gnu.ngettext(one, many, n), (ui, one, n)


def test_translations_are_really_in_the_language():
    scripts = {"ar": r"[\u0600-\u06FF]", "fa": r"[\u0600-\u06FF]", "prs": r"[\u0600-\u06FF]",
               "zh-Hans": r"[\u4e00-\u9fff]", "zh-Hant": r"[\u4e00-\u9fff]", "pa": r"[\u0A00-\u0A7F]",
               "am": r"[\u1200-\u137F]", "ti": r"[\u1200-\u137F]", "uk": r"[\u0400-\u04FF]"}
    for ui, script in scripts.items():
        assert re.search(script, translator(ui)("Find services")), ui
    assert translator("fr")("Find services") == "Trouver des services"
    assert translator("es")("Find services") == "Buscar servicios"
    assert translator("fr")("{km} km away", km="1,5") == "à 1,5 km"
    assert translator("zh-Hans")("Find services") != translator("zh-Hant")("Map layers")
    assert translator("zh-Hant")("Search") == "搜尋" and translator("zh-Hans")("Search") == "搜索"


@pytest.mark.parametrize("value, expected", [
    ("fr", "fr"), ("fr-CA", "fr"), ("AR", "ar"), ("zh-Hans", "zh-Hans"), ("zh_hant", "zh-Hant"), ("zh-TW", "zh-Hant"),
    ("zh-CN", "zh-Hans"), ("fil", "tl"), ("pa-Guru-IN", "pa"), ("prs", "prs"), ("fa-AF", "prs"), ("fa-IR", "fa"),
    (["ar", "fr"], "ar"), ("xx", None), ("", None), (None, None), ("<script>", None),
])
def test_ui_tags(value, expected):
    assert match_tag(value) == expected


@pytest.mark.parametrize("header, expected", [
    ("pa-IN,pa;q=0.9,en-US;q=0.8,en;q=0.7", "pa"),
    ("zh-TW,zh;q=0.9", "zh-Hant"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
    ("de-DE,de;q=0.9,es;q=0.5", "es"),  # German is not offered: the next wish
    ("en;q=0.4,ti;q=0.9", "ti"),  # order of quality, not of writing
    ("fa-AF,fa;q=0.8", "prs"),
    ("so", "so"),
    ("de", None),
    ("", None),
])
def test_accept_language_negotiation(header, expected):
    assert negotiate_accept(header) == expected


def test_url_then_cookie_then_browser():
    assert request_ui("uk", "fr", "es") == "uk"
    assert request_ui("xx", "fr", "es") == "fr"  # an unknown tag is not an error: the remembered choice
    assert request_ui(None, None, "am,en;q=0.5") == "am"
    assert request_ui(None, "bogus", "de") == "en"
    assert negotiate_ui(None) == "en" and negotiate_ui("xx") == "en"  # outside a request: English


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_text_direction(ui):
    assert text_direction(ui) == ("rtl" if ui in {"ar", "fa", "prs"} else "ltr")


def test_locale_formats():
    assert format_distance(1.53, "fr") == "1,5\u202fkm"  # French puts a narrow no-break space before units
    assert format_distance(1.53, "en") == "1.5 km"
    assert format_distance(0.234, "es") == "230 m"
    assert format_number(12345.5, "es") == "12.345,5"
    assert format_date("2026-03-05", "es") == "5 mar 2026"
    assert format_date("2026-03-05", "zh-Hans") == "2026年3月5日"
    assert format_date("not a date", "fr") == "not a date"


def test_filter_names_in_the_readers_language():
    fr_langs = {o["value"]: o["label"] for o in language_options(["ar", "so", "pa"], "fr")}
    assert fr_langs["ar"] == "arabe"
    assert {o["value"]: o["label"] for o in language_options(["ar"], "ar")}["ar"] == "العربية"
    assert {o["value"]: o["label"] for o in language_options(["ar"], "zh-Hans")}["ar"] == "阿拉伯语"
    assert {o["value"]: o["label"] for o in language_options(["ar"], "zh-Hant")}["ar"] == "阿拉伯文"
    assert {o["value"]: o["label"] for o in service_options("fr")}["food"] == "Alimentation"


def test_unknown_message_falls_back_to_english():
    assert translator("ar")("A sentence nobody translated") == "A sentence nobody translated"


def test_navigation_lists_nav_pages_in_the_readers_language():
    from elip_map.components.navbar import nav_pages, navbar

    registry = {
        "a": {"name": "About", "path": "/about", "relative_path": "/about", "nav": True, "order": 90},
        "h": {"name": "Find services", "path": "/", "relative_path": "/", "nav": True, "order": 0},
        "s": {"name": "Review queue", "path": "/staff/review", "relative_path": "/staff/review"},  # not in the nav
    }
    pages = nav_pages(registry)
    assert [p["path"] for p in pages] == ["/", "/about"]
    nav = navbar("fr", "/about", pages).to_plotly_json()
    text = str(nav)
    assert "Trouver des services" in text and "À propos" in text and "Review queue" not in text
    assert "href='/about?ui=fr'" in text  # the reader's language follows them around


def test_language_picker_lists_every_language_by_its_own_name():
    from elip_map.components.navbar import language_picker

    links = list(walk(language_picker("so", "/about")))
    text = " ".join(str(getattr(c, "children", "")) for c in links)
    for name in ("English", "Français", "العربية", "简体中文", "繁體中文", "ਪੰਜਾਬੀ", "Tagalog", "Español", "Українська",
                 "Soomaali", "ትግርኛ", "አማርኛ", "فارسی", "دری"):
        assert name in text
    hrefs = {c.children: c.href for c in links if getattr(c, "href", None)}
    assert hrefs["繁體中文"] == "/about?ui=zh-Hant" and len(hrefs) == len(SUPPORTED_UI)
    current = [c.children for c in links if c.to_plotly_json()["props"].get("aria-current") == "true"]
    assert current == ["Soomaali"]



def test_the_browser_twin_knows_the_same_languages():
    js = (ROOT / "assets" / "elip_map.js").read_text(encoding="utf-8")
    listed = re.search(r"m\.SUPPORTED_UI = \[([^\]]*)\]", js).group(1)
    assert tuple(re.findall(r'"([^"]+)"', listed)) == SUPPORTED_UI
    rtl = re.search(r"m\.RTL_UI = \[([^\]]*)\]", js).group(1)
    assert set(re.findall(r'"([^"]+)"', rtl)) == {ui for ui in SUPPORTED_UI if text_direction(ui) == "rtl"}


# --- through HTTP: the first frame already has the right lang and dir ---------------------------------

@pytest.fixture
def client(tmp_path, clear_pages_state):
    from elip_map.config import Settings
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'i18n.sqlite3'}", tile_url=""), load_sample=False)
    return app.server.test_client()


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_first_frame_has_lang_and_dir(client, ui):
    page = client.get(f"/?ui={ui}")
    assert page.status_code == 200
    direction = "rtl" if ui in {"ar", "fa", "prs"} else "ltr"
    assert _html_tag(page) == f'<html lang="{ui}" dir="{direction}">'


def test_first_visit_follows_accept_language_and_the_choice_is_remembered(client):
    assert _html_tag(client.get("/", headers={"Accept-Language": "zh-TW,zh;q=0.9"})) == '<html lang="zh-Hant" dir="ltr">'
    assert _html_tag(client.get("/about", headers={"Accept-Language": "fa-IR,fa;q=0.9"})) == '<html lang="fa" dir="rtl">'
    unknown = client.get("/?ui=klingon", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert unknown.status_code == 200 and _html_tag(unknown) == '<html lang="es" dir="ltr">'
    chosen = client.get("/?ui=ti", headers={"Accept-Language": "en"})
    assert any(c.startswith("elip_ui=ti;") for c in chosen.headers.getlist("Set-Cookie"))
    assert {"Accept-Language", "Cookie"} <= set(chosen.vary)  # caches keep one copy per language
    # Next visit without ui=: the cookie wins over the browser's English.
    assert _html_tag(client.get("/", headers={"Accept-Language": "en"})) == '<html lang="ti" dir="ltr">'


def test_error_pages_speak_the_readers_language(client):
    page = client.get("/staff/review?ui=uk")
    if page.status_code in (302, 303):  # the staff gate sends visitors to the login page
        page = client.get(page.headers["Location"] + "&ui=uk")
    assert page.status_code == 200
    refused = client.post("/auth/nowhere?ui=am")
    assert refused.status_code in (404, 405)
    assert "<html" in refused.get_data(as_text=True) or refused.status_code == 405
    missing = client.get("/assets/no-such-file.css?ui=so")
    assert missing.status_code == 404
    body = missing.get_data(as_text=True)
    assert '<html lang="so" dir="ltr">' in body and "Bogga lama helin" in body and "Not Found" not in body


def test_after_a_merge_the_tool_adopts_the_other_sides_translations():
    """Two engineers added strings to the same catalogue: keep one file, take the other's translations."""
    from babel.messages.catalog import Catalog

    tool = _tool()
    ours, theirs = Catalog(locale="fr"), Catalog(locale="fr")
    ours.add("Map", "Carte")
    ours.add("Data health", "")
    ours.add(("{n} bed", "{n} beds"), ("", ""))
    theirs.add("Map", "Plan")  # a translation we already have is kept
    theirs.add("Data health", "Qualité des données")
    theirs.add(("{n} bed", "{n} beds"), ("{n} lit", "{n} lits"))
    theirs.add("Gone", "Parti", flags=("fuzzy",))
    assert tool.adopt(ours, theirs) == 2
    assert ours.get("Map").string == "Carte" and ours.get("Data health").string == "Qualité des données"
    assert ours.get("{n} bed").string == ("{n} lit", "{n} lits")


def test_the_tool_adopts_plural_forms_in_languages_with_more_than_two():
    """A plural message new to our Arabic file has the template's two empty forms; theirs has Arabic's six."""
    from babel.messages.catalog import Catalog

    tool = _tool()
    ours, theirs = Catalog(locale="ar"), Catalog(locale="ar")
    ours.add(("{n} bed", "{n} beds"), ("", ""))
    six = ("لا أسرّة", "سرير واحد", "سريران", "{n} أسرّة", "{n} سريرًا", "{n} سرير")
    theirs.add(("{n} bed", "{n} beds"), six)
    assert tool.adopt(ours, theirs) == 1
    assert ours.get("{n} bed").string == six
    chinese_ours, chinese_theirs = Catalog(locale="zh_Hans"), Catalog(locale="zh_Hans")
    chinese_ours.add(("{n} bed", "{n} beds"), ("", ""))
    chinese_theirs.add(("{n} bed", "{n} beds"), ("{n} 张床",))
    assert tool.adopt(chinese_ours, chinese_theirs) == 1 and chinese_ours.get("{n} bed").string == ("{n} 张床",)
    wrong = Catalog(locale="ar")
    wrong.add(("{n} bed", "{n} beds"), ("", ""))
    assert tool.adopt(wrong, chinese_theirs) == 0  # one form cannot fill Arabic's six


# The one rendering of each name per language (lower case; a tuple lists the grammatical case forms of that
# one rendering). ELIP itself stays in Latin letters everywhere: it is the name partners and staff search for.
BRANDS = {
    "ELIP Service Map": {
        "en": ("elip service map",), "fr": ("carte des services de l’elip",), "ar": ("خريطة خدمات elip",),
        "zh-Hans": ("elip 服务地图",), "zh-Hant": ("elip 服務地圖",),
        "pa": ("elip ਸੇਵਾਵਾਂ ਦਾ ਨਕਸ਼ਾ", "elip ਸੇਵਾਵਾਂ ਦੇ ਨਕਸ਼ੇ"), "tl": ("elip service map",),
        "es": ("mapa de servicios de elip",), "uk": ("мапа послуг elip", "мапі послуг elip", "мапу послуг elip"),
        "so": ("khariidadda adeegyada elip",), "ti": ("ካርታ ኣገልግሎታት elip",), "am": ("elip አገልግሎቶች ካርታ",),
        "fa": ("نقشه خدمات elip",), "prs": ("نقشه خدمات elip",)},
    "Edmonton Local Immigration Partnership": {
        "en": ("edmonton local immigration partnership",), "fr": ("partenariat local en immigration d’edmonton",),
        "ar": ("شراكة إدمونتون المحلية للهجرة",), "zh-Hans": ("埃德蒙顿地方移民合作组织",),
        "zh-Hant": ("愛民頓地方移民合作組織",), "pa": ("ਐਡਮੰਟਨ ਲੋਕਲ ਇਮੀਗ੍ਰੇਸ਼ਨ ਪਾਰਟਨਰਸ਼ਿਪ",),
        "tl": ("edmonton local immigration partnership",), "es": ("alianza local de inmigración de edmonton",),
        "uk": ("місцеве партнерство з питань імміграції едмонтона",),
        "so": ("iskaashiga socdaalka maxalliga ah ee edmonton",), "ti": ("ኤድመንተን ከባቢያዊ ሽርክና ኢሚግሬሽን",),
        "am": ("ኤድመንተን የአካባቢ ኢሚግሬሽን አጋርነት",), "fa": ("همکاری محلی مهاجرت ادمونتون",),
        "prs": ("همکاری محلی مهاجرت ادمونتون",)},
    "Edmonton": {
        "en": ("edmonton",), "fr": ("edmonton",), "ar": ("إدمونتون",), "zh-Hans": ("埃德蒙顿",), "zh-Hant": ("愛民頓",),
        "pa": ("ਐਡਮੰਟਨ",), "tl": ("edmonton",), "es": ("edmonton",), "uk": ("едмонтон",), "so": ("edmonton",),
        "ti": ("ኤድመንተን",), "am": ("ኤድመንተን",), "fa": ("ادمونتون",), "prs": ("ادمونتون",)},
    "ELIP": {ui: ("elip",) for ui in SUPPORTED_UI},
}
# Legal titles quoted as they are published, in English in every language.
TITLES = ("Open Government Licence – City of Edmonton",)


def brand_problems(ui: str, cat) -> list[str]:
    """Messages that name a brand in English but whose translation does not use the language's one rendering."""
    problems = []
    for message in cat:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for title in TITLES:
            ids, strings = [i.replace(title, "") for i in ids], [t.replace(title, "") for t in strings]
        for name, forms in BRANDS.items():
            if not any(name in i for i in ids):
                continue
            for text in strings:
                if text and not any(f in text.lower() for f in forms[ui]):
                    problems.append(f"{name!r} not written {forms[ui][0]!r} in {ids[0][:50]!r}: {text[:80]!r}")
    return problems


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_brand_names_are_written_one_way_in_each_catalogue(ui):
    with catalogue_path(ui).open("rb") as fh:
        cat = read_po(fh, locale=babel_locale_id(ui))
    assert brand_problems(ui, cat) == []


def test_the_brand_check_catches_a_second_spelling():
    cat = Catalog(locale="ar")
    cat.add("Source: ELIP Service Map, {url}", "المصدر: خريطة الخدمات، {url}")
    cat.add("Find services for newcomers in Edmonton", "ابحث عن خدمات للقادمين الجدد في إدمنتون")
    assert len(brand_problems("ar", cat)) == 3  # the map's name, ELIP, and Edmonton spelled another way
