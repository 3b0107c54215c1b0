"""Keep every interface language's catalogue in step with the English in the source.

    python scripts/i18n_catalogues.py            # extract, update every .po, print what is missing
    python scripts/i18n_catalogues.py --list     # ... and list each missing message per language
    python scripts/i18n_catalogues.py --check    # change nothing; exit 1 if a catalogue is out of date or incomplete
    python scripts/i18n_catalogues.py --lang fa  # only these languages (repeatable)
    python scripts/i18n_catalogues.py --adopt other-branch   # also fill empty entries from that git ref's catalogues

What it does:
1. Extracts every message from ``elip_map/**.py`` with Babel's Python extractor: ``_("...")``,
   ``N_("...")`` (strings marked now, translated per reader later, e.g. the ones a page sends to the
   browser) and plural calls ``_.ngettext("one", "many", n)``.
2. Updates ``elip_map/translations/<folder>/LC_MESSAGES/messages.po`` for every tag in
   ``elip_map.i18n.SUPPORTED_UI``: new messages are added with an empty translation (they show in
   English until filled), messages no longer in the source are dropped, a message whose English
   changed gets an empty translation too (fuzzy guesses are not made: short interface words matched
   wrongly); a ``fuzzy`` entry written by a person is kept and not shown until someone clears the flag.
   English is the source language: its catalogue is filled with the English itself.
3. Prints, per language, how many messages are translated and what is missing or fuzzy.

After a merge conflict in catalogues: keep one side whole (``git checkout --theirs -- elip_map/translations``),
then run the tool with ``--adopt <the other side's branch or commit>``: every message still empty is filled
from that side's catalogue when it has a translation there (same plural form count), so no one's work is lost.

Each catalogue's header keeps ``X-Reviewed-By-Community-Translator: yes|no``; a new catalogue starts
at ``no`` (the About page shows it). Files are written sorted by message, without source line
numbers, so two people adding strings rarely touch the same lines; a file is rewritten only when a
message changed. Then run ``pytest tests/unit/test_i18n.py``: it fails while anything is missing.
"""

from __future__ import annotations

import argparse
import copy
import io
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from elip_map.i18n import REVIEW_HEADER, SUPPORTED_UI, catalogue_path  # noqa: E402
from elip_map.i18n.catalogues import extra_headers, with_extra_headers  # noqa: E402
from elip_map.i18n.locales import babel_locale_id  # noqa: E402

PACKAGE = ROOT / "elip_map"
# Babel keyword specs: the argument positions that hold the message (and its plural).
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "N_plural": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
SOURCE_LANGUAGE = "en"


def extract(package: Path = PACKAGE) -> Catalog:
    """Every marked message of the package, as a template catalogue."""
    template = Catalog(project="ELIP Service Map", version="1", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(package), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        if isinstance(message, tuple) and not all(message):
            continue  # a plural call with a computed argument: nothing to translate
        if not message:
            continue
        text = " ".join(message) if isinstance(message, tuple) else message
        flags = ("python-brace-format",) if PLACEHOLDER.search(text) else ()
        template.add(message, locations=[(f"elip_map/{filename}", lineno)], auto_comments=comments, flags=flags,
                     context=context)
    return template


def _missing(message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return not all(message.string)
    return not message.string


def _render(catalog: Catalog) -> str:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, no_location=True, sort_output=True, ignore_obsolete=True, include_previous=False)
    return buf.getvalue().decode("utf-8")


def _comparable(text: str) -> str:
    return re.sub(r'^"(POT-Creation-Date|PO-Revision-Date|Generated-By): .*\n', "", text, flags=re.MULTILINE)


def catalogue_at(ref: str, ui: str) -> Catalog | None:
    """One language's catalogue as committed at a git ref (branch, tag or commit), or None."""
    rel = catalogue_path(ui).relative_to(ROOT).as_posix()
    shown = subprocess.run(["git", "show", f"{ref}:{rel}"], cwd=ROOT, capture_output=True)
    if shown.returncode != 0:
        return None
    return read_po(io.BytesIO(shown.stdout), locale=babel_locale_id(ui), abort_invalid=False)


def adopt(catalog: Catalog, other: Catalog) -> int:
    """Fill this catalogue's empty entries from another version of it; returns how many were filled."""
    filled = 0
    for message in catalog:
        if not message.id or not _missing(message):
            continue
        theirs = other.get(message.id)
        if theirs is None or theirs.fuzzy or _missing(theirs):
            continue
        plural = isinstance(message.id, (tuple, list))
        if plural != isinstance(theirs.string, (tuple, list)):
            continue
        # A message new to this file carries the template's two empty forms whatever the language; the
        # other side's forms fit when they are as many as this language's Plural-Forms asks for.
        if plural and len(theirs.string) != catalog.num_plurals:
            continue
        message.string = theirs.string
        filled += 1
    return filled


def update(ui: str, template: Catalog, *, write: bool, adopt_from: str | None = None) -> dict:
    """Bring one language's catalogue in line with the template; returns its state."""
    path = catalogue_path(ui)
    old_text = path.read_text(encoding="utf-8") if path.exists() else ""
    headers = extra_headers(old_text) if old_text else {}
    headers.setdefault(REVIEW_HEADER, "yes" if ui == SOURCE_LANGUAGE else "no")
    if old_text:
        catalog = read_po(io.StringIO(old_text), locale=babel_locale_id(ui), abort_invalid=False)
    else:
        catalog = Catalog(locale=babel_locale_id(ui), project="ELIP Service Map", version="1", charset="utf-8",
                          header_comment=f"# {ui} interface strings of the ELIP Service Map.\n"
                                         "# Message ids are the English text; placeholders in braces stay as they are.",
                          fuzzy=False)
    # A copy: Babel adds the template's own Message objects, and English fills them with itself below.
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    adopted = 0
    if adopt_from and ui != SOURCE_LANGUAGE:
        other = catalogue_at(adopt_from, ui)
        adopted = adopt(catalog, other) if other is not None else 0
    for message in catalog:
        if not message.id:
            continue
        if ui == SOURCE_LANGUAGE:  # the source language translates to itself
            message.string = message.id
            if message.fuzzy:
                message.flags.discard("fuzzy")
        message.previous_id = []
        message.locations = []
    new_text = with_extra_headers(_render(catalog), headers)
    changed = _comparable(new_text) != _comparable(old_text)
    if changed and write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_text, encoding="utf-8")
    messages = [m for m in catalog if m.id]
    return {
        "ui": ui, "path": path, "changed": changed, "total": len(messages),
        "missing": sorted(m.id if isinstance(m.id, str) else m.id[0] for m in messages if _missing(m)),
        "fuzzy": sorted(m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.fuzzy and not _missing(m)),
        "reviewed": headers[REVIEW_HEADER], "adopted": adopted,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of date or incomplete")
    parser.add_argument("--list", action="store_true", help="list every missing or fuzzy message")
    parser.add_argument("--lang", action="append", choices=SUPPORTED_UI, help="only this interface language")
    parser.add_argument("--adopt", metavar="GIT_REF", help="fill empty entries from the catalogues at this git ref")
    args = parser.parse_args(argv)

    template = extract()
    print(f"{len(template)} messages in the source")
    problems = 0
    for ui in args.lang or SUPPORTED_UI:
        state = update(ui, template, write=not args.check, adopt_from=args.adopt)
        todo = len(state["missing"]) + len(state["fuzzy"])
        verb = ("out of date" if args.check else "updated") if state["changed"] else "up to date"
        print(f"{ui:8} {state['total'] - todo:4}/{state['total']} translated, {len(state['missing'])} missing, "
              f"{len(state['fuzzy'])} fuzzy; reviewed by a community translator: {state['reviewed']}; file {verb}"
              + (f"; {state['adopted']} adopted from {args.adopt}" if args.adopt else ""))
        if args.list:
            for msgid in state["missing"]:
                print(f"    missing: {msgid!r}")
            for msgid in state["fuzzy"]:
                print(f"    fuzzy:   {msgid!r}")
        problems += todo + (1 if args.check and state["changed"] else 0)
    return 1 if (args.check and problems) else 0


if __name__ == "__main__":
    sys.exit(main())
