"""Move the core's Swedish and Danish texts from the code into its gettext catalogues.

Every module of ``geoplan/`` registers its texts as dict literals ``{key: {"en": …, "sv": …,
"da": …}}``. This script finds those literals with :mod:`ast`, keeps ``{"en": …}`` in the code
(the English source text, rewritten by its exact span, so the rest of the file is untouched) and
moves Swedish and Danish into ``geoplan/locale/<lang>/LC_MESSAGES/geoplan.po`` (msgctxt = the
key, msgid = the English text, msgstr = the translation), then compiles each ``.po`` to the
``.mo`` beside it (babel), which :func:`geoplan.i18n.tr` reads. Running it again changes nothing;
run it after merging branches that add new three-language dicts.

Usage: python scripts/extract_texts.py [--check]
(``--check`` writes nothing and exits 1 when a dict still holds sv/da in the code or a committed
``.po``/``.mo`` differs from what the script would write.)
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "geoplan"
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "geoplan"
TRANSLATED = ("sv", "da")
#: fixed header dates, so that the same texts always give the same bytes
_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Found:
    """One text entry with its translations still in the code."""

    key: str
    english: str
    translations: dict[str, str]
    start: int  # byte offsets of the entry's ``{...}`` in the file
    end: int
    english_span: tuple[int, int]


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _entry_words(node: ast.AST) -> dict[str, ast.AST] | None:
    """``{"en": ..., "sv": ..., "da": ...}`` of string literals as language -> value node."""
    if not isinstance(node, ast.Dict) or None in node.keys:
        return None
    langs = [_string(k) for k in node.keys]
    if "en" not in langs or not set(langs) <= {"en", *TRANSLATED}:
        return None
    if any(_string(v) is None for v in node.values):
        return None
    return dict(zip(langs, node.values, strict=True))


def _offsets(source: bytes) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def find_texts(source: bytes) -> list[Found]:
    """The text entries of ``source`` whose dict literal still holds sv/da."""
    line_at = _offsets(source)

    def span(node: ast.AST) -> tuple[int, int]:
        return (line_at[node.lineno - 1] + node.col_offset,
                line_at[node.end_lineno - 1] + node.end_col_offset)

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Dict) or not node.keys or None in node.keys:
            continue
        keys = [_string(k) for k in node.keys]
        entries = [_entry_words(v) for v in node.values]
        if None in keys or None in entries:
            continue
        for key, words, value in zip(keys, entries, node.values, strict=True):
            if set(words) == {"en"}:
                continue
            found.append(Found(key, _string(words["en"]),
                               {lang: _string(words[lang]) for lang in TRANSLATED if lang in words},
                               *span(value), span(words["en"])))
    return sorted(found, key=lambda f: f.start)


def english_only(source: bytes, found: list[Found]) -> bytes:
    """``source`` with each found entry rewritten to ``{"en": <its English literal as written>}``
    (the line breaks before the English kept)."""
    out, last = [], 0
    for f in found:
        a, b = f.english_span
        before = source[f.start + 1:a].strip()
        if before == b'"en":':  # English written first: keep the literal as laid out up to it
            out += [source[last:b], b"}"]
        else:
            out += [source[last:f.start], b'{"en": ', source[a:b], b"}"]
        last = f.end
    return b"".join(out) + source[last:]


def read_entries(po: Path) -> dict[str, tuple[str, str]]:
    """key -> (English, translation) of a ``.po`` file (empty when it does not exist)."""
    if not po.exists():
        return {}
    with po.open("rb") as f:
        catalog = read_po(f)
    return {m.context: (m.id, m.string) for m in catalog if m.id and m.context}


def po_bytes(lang: str, entries: dict[str, tuple[str, str]]) -> bytes:
    """The ``.po`` of ``lang`` holding ``entries`` sorted by key."""
    catalog = Catalog(locale=lang, domain=DOMAIN, project="geoplan", version="1",
                      creation_date=_DATE, revision_date=_DATE, fuzzy=False,
                      language_team=f"geoplan {lang}", last_translator="geoplan")
    for key in sorted(entries):
        english, text = entries[key]
        catalog.add(english, text, context=key)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, omit_header=False)
    return buf.getvalue()


def mo_bytes(po: bytes) -> bytes:
    """The compiled ``.mo`` of a ``.po`` file's bytes."""
    buf = io.BytesIO()
    write_mo(buf, read_po(io.BytesIO(po)))
    return buf.getvalue()


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def plan(package: Path = PACKAGE) -> tuple[dict[Path, bytes], list[str]]:
    """Every file the script would write (path -> bytes) and the texts still held in code."""
    writes: dict[Path, bytes] = {}
    held: list[str] = []
    entries = {lang: read_entries(po_path(lang)) for lang in TRANSLATED}
    for path in sorted(package.rglob("*.py")):
        source = path.read_bytes()
        found = find_texts(source)
        if not found:
            continue
        writes[path] = english_only(source, found)
        for f in found:
            held.append(f"{path.relative_to(package.parent)}: {f.key}")
            for lang, text in f.translations.items():
                entries[lang][f.key] = (f.english, text)
    for lang in TRANSLATED:
        po = po_bytes(lang, entries[lang])
        writes[po_path(lang)] = po
        writes[po_path(lang).with_suffix(".mo")] = mo_bytes(po)
    return writes, held


def main(argv: list[str]) -> int:
    writes, held = plan()
    changed = [p for p, data in writes.items() if not p.exists() or p.read_bytes() != data]
    if "--check" in argv:
        for line in held:
            print(f"translations still in code: {line}")
        for p in changed:
            print(f"out of date: {p.relative_to(ROOT)}")
        return 1 if held or changed else 0
    for p in changed:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(writes[p])
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
