"""Problems in a pipeline: :class:`Problem`, :class:`PipelineError`, and how a problem names its
key as written in the file, finds its line and suggests what was meant.

Every problem raises a :class:`PipelineError` (a :class:`geoplan.errors.ConfigError`) whose
message names the file and the key in the form it is written in the file, says what is expected,
and gives the line where that can be found, e.g.::

    botkyrka.toml: [grid] cell_size_m = 120 is not allowed: must be one of 50, 100, … (line 31)
    botkyrka.toml: unknown key 'acess' — did you mean 'access'? (line 40)
    botkyrka.toml: [population] tables[1] = "x.xlsx" does not exist (resolved to /data/x.xlsx)

All problems found are reported at once, one per line. ``error.problems`` holds them as
:class:`Problem` records (dotted ``key``, ``message``, ``line``) for programs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .dump import toml_value
from .schema import PipelineSchema, all_keys, field_info, model_of

__all__ = ["PipelineError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One problem in a pipeline file.

    Attributes
    ----------
    key
        The key at fault in dotted form (``"grid.cell_size_m"``, ``"population.tables[1]"``),
        ``""`` for the file as a whole.
    message
        What is wrong and what is expected, naming the key as written in the file.
    line
        1-based line of the key in the file, when it can be found.
    """

    key: str
    message: str
    line: int | None = None


class PipelineError(ConfigError):
    """A pipeline file is unreadable or invalid; one line per :class:`Problem`.

    Attributes
    ----------
    file
        The file as named in the messages.
    problems
        Every problem found, in file order where known.
    """

    def __init__(self, file: str, problems: list[Problem] | tuple[Problem, ...]):
        self.file = file
        self.problems = tuple(problems)
        super().__init__("\n".join(
            f"{file}: {p.message}" + (f" (line {p.line})" if p.line else "")
            for p in self.problems
        ))


def ordered(problems) -> list[Problem]:
    """The problems without repeats, in file order (those without a line last)."""
    seen, out = set(), []
    for p in problems:
        if (p.key, p.message) not in seen:
            seen.add((p.key, p.message))
            out.append(p)
    return sorted(out, key=lambda p: (p.line is None, p.line or 0))


_AT_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def syntax_problem(msg: str, text: str) -> Problem:
    m = _AT_RE.search(msg)
    if not m:
        return Problem("", f"TOML syntax error: {msg}")
    line, col = int(m.group(1)), int(m.group(2))
    what = msg[: m.start()]
    lines = text.splitlines()
    src = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    hint = ""
    if "overwrite" in what.lower():
        hint = " (a key or [section] appears twice)"
    elif re.search(r"=\s*[^\s\"'\[{0-9+\-tfin#]", src):
        hint = " (text values need quotes: key = \"value\")"
    return Problem(
        "",
        f"TOML syntax error at line {line}, column {col}: {what}{hint}"
        + (f" in: {src}" if src else ""),
        line,
    )


_HDR_RE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
                     r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def _split_key(k: str) -> tuple[str, ...]:
    return tuple(t.strip("\"'") for t in re.findall(r"\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+", k))


def locate(text: str, path: tuple[str, ...]) -> int | None:
    """Best-effort 1-based line where ``path`` (e.g. ``('grid', 'cell_size_m')``) is set."""
    if not path:
        return None
    cur: tuple[str, ...] = ()
    header_line = None
    for i, line in enumerate(text.splitlines(), 1):
        m = _HDR_RE.match(line)
        if m:
            cur = _split_key(m.group(1))
            if header_line is None and cur[: len(path)] == path:
                header_line = i
            continue
        m = _KEY_RE.match(line)
        if m:
            full = cur + _split_key(m.group(1))
            if full[: len(path)] == path or (len(full) < len(path) and path[: len(full)] == full):
                return i
    return header_line


def where(path: tuple) -> tuple[str, str, tuple[str, ...]]:
    """``(as written: '[grid] cell_size_m', dotted: 'grid.cell_size_m', path for _locate)``."""
    sections: list[str] = []
    rest = list(path)
    cur: Any = PipelineSchema
    while rest and isinstance(rest[0], str) and cur is not None and rest[0] in cur.model_fields:
        sub = model_of(cur.model_fields[rest[0]].annotation)
        if sub is None:
            break
        sections.append(rest.pop(0))
        cur = sub
    key = ""
    for i, el in enumerate(rest):
        key += f"[{el}]" if isinstance(el, int) else (el if i == 0 else f".{el}")
    head = f"[{'.'.join(sections)}]" if sections else ""
    written = f"{head} {key}".strip() if key else head
    dotted = ".".join([*sections, key]) if key else ".".join(sections)
    loc = tuple(sections) + tuple(el for el in rest if isinstance(el, str))
    return written, dotted, loc


def suggest(word: str, choices) -> str | None:
    """The choice closest to ``word`` (a misspelling), or None."""
    m = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return m[0] if m else None


def _unknown_key_problem(loc: tuple, text: str) -> Problem:
    """An unknown key: where it belongs, what was meant, or the valid keys of its section."""
    parent = loc[:-1]
    written_parent, dotted_parent, _ = where(parent)
    bad = str(loc[-1])
    pinfo = field_info(parent)
    model = model_of(pinfo.annotation) if pinfo is not None else PipelineSchema
    valid = list(model.model_fields) if model is not None else []
    dotted = f"{dotted_parent}.{bad}" if dotted_parent else bad
    msg = f"unknown key '{dotted}'"
    guess = suggest(bad, valid)
    elsewhere = [p.rsplit(".", 1)[0] for p in all_keys().get(bad, []) if "." in p]
    elsewhere = [p for p in elsewhere if p != dotted_parent]
    if elsewhere:
        msg += f" — '{bad}' belongs in [{elsewhere[0]}]"
    elif guess:
        msg += f" — did you mean '{dotted_parent + '.' if dotted_parent else ''}{guess}'?"
    else:
        place = f"in {written_parent}" if written_parent else "at the top level"
        msg += f"; valid keys {place}: {', '.join(valid)}"
    return Problem(dotted, msg, locate(text, tuple(str(x) for x in loc)))


def pydantic_problem(err: Mapping[str, Any], text: str) -> Problem:
    """One pydantic error as a :class:`Problem` naming the key as written in ``text``."""
    loc = tuple(err["loc"])
    typ = err["type"]
    value = err.get("input")
    if typ == "extra_forbidden":
        return _unknown_key_problem(loc, text)
    written, dotted, lpath = where(loc)
    line = locate(text, lpath)
    info = field_info(loc)
    expected = info.description if info is not None and info.description else None
    ctx = err.get("ctx") or {}
    if typ == "missing":
        msg = f"{written} is missing" + (f": give {expected}" if expected else "")
        if loc == ("input",):
            msg = '[input] is missing: every pipeline needs [input] with osm = "path.osm.pbf"'
        elif loc == ("input", "osm"):
            msg += " (the map data every pipeline needs)"
        return Problem(dotted, msg, line or locate(text, lpath[:-1]))
    shown = toml_value(value) if value is not None else "this"
    if typ == "literal_error":
        msg = f"{written} = {shown} is not allowed: choose {ctx.get('expected', expected)}"
        if isinstance(value, str):
            guess = suggest(value, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
            if guess:
                msg += f" — did you mean '{guess}'?"
        return Problem(dotted, msg, line)
    limits = {"greater_than": "> {gt}", "greater_than_equal": ">= {ge}",
              "less_than": "< {lt}", "less_than_equal": "<= {le}"}
    if typ in limits:
        return Problem(dotted, f"{written} = {shown} is not allowed: it must be "
                       f"{limits[typ].format(**{k: f'{v:g}' for k, v in ctx.items()})}", line)
    if typ in ("too_short", "too_long") and isinstance(value, list | tuple):
        return Problem(dotted, f"{written} = {shown} is not allowed: it must be {expected}"
                       f" (got {len(value)} items)", line)
    if typ == "finite_number":
        return Problem(dotted, f"{written} = {shown} is not allowed: give a finite number", line)
    if typ == "string_pattern_mismatch":
        return Problem(dotted, f"{written} = {shown} is not allowed: it must be {expected}", line)
    if typ == "model_type":
        return Problem(dotted, f"{written} must be a table ([section] with key = value lines), "
                       f"got {shown}", line)
    if isinstance(loc[-1], int) or (len(loc) > 1 and info is not None
                                     and field_info(loc[:-1]) is info):
        # an item of a list or of a table such as assume: say what the item should be
        item = _ITEMS.get(typ, "of another type")
        return Problem(dotted, f"{written} must be {item}, got {shown}", line)
    what = expected or err.get("msg", "")
    return Problem(dotted, f"{written} must be {what}, got {shown}", line)


_ITEMS = {"float_type": "a number", "int_type": "a whole number", "string_type": "text in quotes",
          "bool_type": "true or false"}
