"""Area statistics: SCB Statistikdatabasen exports and plain CSV, joined to area polygons.

A table is a :class:`pandas.DataFrame` indexed by ``area_code`` (str) with lower_snake, numeric
(float) columns. Its column metadata lives in ``table.attrs``:

``kinds``
    ``{column: 'count' | 'rate'}``. **Counts** (persons, households, dwellings) are allocated to
    grid cells and conserved (they add up). **Rates** (median income, percentages, shares) are
    carried as rates: a cell gets the weighted mean of the rates of the areas it overlaps.
``weights``
    ``{rate column: count column}``: whose population a rate describes, used to weight it (e.g.
    the median net income of ``persons_20plus``). Rates without an entry are weighted by the
    population column.
``population_column``
    The column holding the number of residents, if any (becomes ``pop`` on the grid).
``labels``
    ``{column: original header}`` (Swedish for SCB files), ``title``, ``table_id`` (SCB's
    "Intern referenskod"), ``year``, ``source`` (file path), ``skipped_rows``.

Known SCB tables (:data:`SCB_TABLES`) get English column names and a count/rate classification;
unknown tables get names made from their headers and a classification guessed from words in the
header (procent, andel, median, medel, per … -> rate; otherwise count). Pass ``kinds=`` to
override either. Missing values: SCB's ``..`` (not available / too uncertain), ``.`` (cannot
occur) and empty cells become NaN; ``-`` (SCB: magnitude zero) becomes 0.

Källa: SCB. The DeSO tables are open data from Statistics Sweden's Statistikdatabasen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, GeoplanError, InputFileError

__all__ = [
    "COUNT",
    "DESO_PATTERN",
    "RATE",
    "SCB_TABLES",
    "JoinReport",
    "ScbTable",
    "column_kinds",
    "combine_area_tables",
    "join_area_table",
    "read_area_csv",
    "read_area_table",
    "read_scb_xlsx",
    "slugify",
]

COUNT = "count"
RATE = "rate"
#: DeSO code, optionally followed by the area's name ("0127C1280 Botkyrka").
DESO_PATTERN = r"^\s*(\d{4}[ABC]\d{4})\b"
_MISSING = {"..", ".", "…", "...", ""}
_ZERO = {"-", "–", "—"}
_YEAR_RE = re.compile(r"^(19|20)\d{2}$")
_RATE_WORDS = ("procent", "andel", "median", "medel", "kvot", "per_", "share", "pct", "rate", "mean")


@dataclass(frozen=True)
class ScbTable:
    """What geoplan knows about one SCB Statistikdatabasen table.

    ``columns`` maps the slug of a column's full header (all header parts but the year, see
    :func:`slugify`) to ``(english_name, kind)``.
    """

    table_id: str
    title_en: str
    columns: Mapping[str, tuple[str, str]]
    population_column: str | None = None
    #: count column that weights the table's rates (None: the population column)
    weight_column: str | None = None


def _t(table_id, title, columns, population=None, weight=None) -> ScbTable:
    return ScbTable(table_id, title, dict(columns), population, weight)


_C, _R = COUNT, RATE
#: Known SCB DeSO tables, keyed by SCB's "Intern referenskod" (last line of the export).
SCB_TABLES: dict[str, ScbTable] = {
    t.table_id: t
    for t in (
        _t("000005FC", "Population by DeSO", {"totalt": ("population", _C)}, "population"),
        _t("000005FF", "Population by age", {
            "totalt_totalt": ("pop_total", _C), "0_4_ar_totalt": ("age_0_4", _C),
            "5_9_ar_totalt": ("age_5_9", _C), "10_14_ar_totalt": ("age_10_14", _C),
            "15_19_ar_totalt": ("age_15_19", _C), "20_24_ar_totalt": ("age_20_24", _C),
            "25_29_ar_totalt": ("age_25_29", _C), "30_34_ar_totalt": ("age_30_34", _C),
            "35_39_ar_totalt": ("age_35_39", _C), "40_44_ar_totalt": ("age_40_44", _C),
            "45_49_ar_totalt": ("age_45_49", _C), "50_54_ar_totalt": ("age_50_54", _C),
            "55_59_ar_totalt": ("age_55_59", _C), "60_64_ar_totalt": ("age_60_64", _C),
            "65_69_ar_totalt": ("age_65_69", _C), "70_74_ar_totalt": ("age_70_74", _C),
            "75_79_ar_totalt": ("age_75_79", _C), "80_ar_totalt": ("age_80_plus", _C),
        }, "pop_total"),
        _t("000005FE", "Population by Swedish/foreign background", {
            "svensk_bakgrund_totalt": ("pop_swedish_background", _C),
            "utlandsk_bakgrund_totalt": ("pop_foreign_background", _C),
            "totalt_totalt": ("pop_total", _C),
        }, "pop_total"),
        _t("000005FB", "Population by region of birth", {
            "sverige_totalt": ("born_sweden", _C),
            "europa_utom_sverige_totalt": ("born_europe_ex_sweden", _C),
            "ovriga_varlden_inkl_uppgift_saknas_totalt": ("born_rest_of_world", _C),
            "totalt_totalt": ("pop_total", _C),
        }, "pop_total"),
        _t("000005F8", "Households by type", {
            "sammanboende_med_barn": ("hh_couple_with_children", _C),
            "sammanboende_utan_barn": ("hh_couple_without_children", _C),
            "ensamstaende_med_barn": ("hh_single_with_children", _C),
            "ensamstaende_utan_barn": ("hh_single_without_children", _C),
            "ovriga_hushall": ("hh_other", _C),
        }),
        _t("000005FM", "Net income, persons 20+ (kSEK)", {
            "medianvarde_tkr_nettoinkomst_totalt": ("net_income_median_ksek", _R),
            "medelvarde_tkr_nettoinkomst_totalt": ("net_income_mean_ksek", _R),
            "antal_personer_totalt_nettoinkomst_totalt": ("persons_20plus", _C),
        }, weight="persons_20plus"),
        _t("000006TA", "Low and high economic standard (percent of persons)", {
            "lag_ekonomisk_standard_procent_totalt_alder": ("low_econ_standard_pct", _R),
            "hog_ekonomisk_standard_procent_totalt_alder": ("high_econ_standard_pct", _R),
            "antal_personer_totalt_totalt_alder": ("persons_econ_standard", _C),
        }, weight="persons_econ_standard"),
        _t("000005LO", "Persons by type of house", {
            "smahus": ("persons_small_house", _C),
            "flerbostadshus": ("persons_multi_dwelling", _C),
            "ovriga_hus": ("persons_other_house", _C),
            "specialbostader": ("persons_special_housing", _C),
            "uppgift_saknas": ("persons_house_unknown", _C),
            "totalt": ("persons_total", _C),
        }),
        _t("000005MO", "Population 25-64 by level of education", {
            "forgymnasial_utbildning": ("edu_primary", _C),
            "gymnasial_utbildning": ("edu_upper_secondary", _C),
            "eftergymnasial_utbildning_mindre_an_3_ar": ("edu_post_secondary_lt_3y", _C),
            "eftergymnasial_utbildning_3_ar_eller_mer": ("edu_post_secondary_3y_plus", _C),
            "uppgift_om_utbildningsniva_saknas": ("edu_unknown", _C),
        }),
        _t("000006OC", "Dwellings by tenure", {
            "hyresratt": ("dwellings_rental", _C),
            "bostadsratt": ("dwellings_tenant_owned", _C),
            "aganderatt": ("dwellings_owner_occupied", _C),
            "uppgift_saknas": ("dwellings_tenure_unknown", _C),
        }),
        _t("000007A8", "Labour-market status 16-64", {
            "antal_sysselsatta_totalt_16_64_ar": ("employed_16_64", _C),
            "antal_arbetslosa_totalt_16_64_ar": ("unemployed_16_64", _C),
            "antal_sysselsatta_och_arbetslosa_arbetskraften_totalt_16_64_ar":
                ("labour_force_16_64", _C),
            "antal_personer_utanfor_arbetskraften_totalt_16_64_ar":
                ("outside_labour_force_16_64", _C),
            "antal_totalt_totalt_16_64_ar": ("persons_16_64", _C),
        }),
    )
}

_POPULATION_NAMES = ("population", "pop", "pop_total", "folkmangd", "befolkning")


#: letters NFKD does not split into a base letter and an accent (Danish/Norwegian ø, æ; German
#: ß; Icelandic ð, þ), spelled as ASCII so that they are not dropped from column names
_SPELLED = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "œ": "oe", "ð": "d", "þ": "th",
                          "đ": "d", "ł": "l"})


def slugify(text: str) -> str:
    """Lower_snake ASCII name for a header.

    Examples
    --------
    >>> slugify("Medianvärde, tkr")
    'medianvarde_tkr'
    >>> slugify("0-4 år")
    '0_4_ar'
    >>> slugify("Indkomst før skat, ældre")  # letters without a decomposition are spelled out
    'indkomst_for_skat_aeldre'
    """
    s = unicodedata.normalize("NFKD", str(text).lower().translate(_SPELLED))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("%", " pct ").replace("+", " plus ")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _guess_kind(name: str) -> str:
    return RATE if any(w in name for w in _RATE_WORDS) else COUNT


def column_kinds(table: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{column: 'count'|'rate'}`` of ``table``: its metadata, overridden by ``kinds``.

    Columns without metadata are classified from their name (see the module doc).

    Examples
    --------
    >>> t = pd.DataFrame({"population": [1.0], "income_median": [2.0]})
    >>> column_kinds(t, {"population": "count"})
    {'population': 'count', 'income_median': 'rate'}
    """
    meta = dict(table.attrs.get("kinds", {}))
    kinds = dict(kinds or {})
    bad = {k: v for k, v in kinds.items() if v not in (COUNT, RATE)}
    if bad:
        raise ConfigError(f"column kinds must be 'count' or 'rate', got {bad}")
    unknown = sorted(set(kinds) - set(table.columns))
    if unknown:
        raise ConfigError(
            f"kinds given for columns the table does not have: {unknown}; "
            f"its columns are {list(table.columns)}"
        )
    return {c: kinds.get(c, meta.get(c, _guess_kind(c))) for c in table.columns}


# --------------------------------------------------------------------------------------------
# parsing helpers


def _to_number(value, where: str) -> float:
    if value is None:
        return np.nan
    if isinstance(value, bool):
        raise InputFileError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    s = str(value).strip()
    if s in _MISSING:
        return np.nan
    if s in _ZERO:
        return 0.0
    t = s.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d+(,\d+)?", t):
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        raise InputFileError(
            f"{where}: expected a number, got {value!r}; SCB's '..' marks a missing value, "
            "anything else must be numeric"
        ) from None


def _finish(
    df: pd.DataFrame, *, names: Mapping[str, str], kinds: Mapping[str, str] | None, what: str
) -> pd.DataFrame:
    """Check keys, set metadata and apply user kinds."""
    dup = df.index[df.index.duplicated()].unique()
    if len(dup):
        raise InputFileError(
            f"{what} has {len(dup)} duplicate area code(s), e.g. {list(dup[:5])}: each area must "
            "appear once (export one year / one breakdown per file, or aggregate first)"
        )
    df.index.name = "area_code"
    df.attrs.setdefault("labels", dict(names))
    df.attrs["kinds"] = column_kinds(df, kinds)
    weights = dict(df.attrs.get("weights", {}))
    pop = df.attrs.get("population_column")
    if pop is None:
        pop = next((c for c in _POPULATION_NAMES if c in df.columns), None)
        df.attrs["population_column"] = pop
    df.attrs["weights"] = {
        c: weights.get(c, pop) for c, k in df.attrs["kinds"].items() if k == RATE
    }
    return df


# --------------------------------------------------------------------------------------------
# SCB xlsx


def _footer_value(rows: list[tuple], key: str) -> str | None:
    for i, r in enumerate(rows):
        if r and isinstance(r[0], str) and r[0].strip() == key:
            for nxt in rows[i + 1 : i + 3]:
                if nxt and nxt[0] is not None:
                    return str(nxt[0]).strip()
    return None


def _find_code_cells(rows: list[tuple], pattern: re.Pattern) -> tuple[int, np.ndarray]:
    """Column index of the area codes and, per row, the matched code (or None)."""
    ncol = max((len(r) for r in rows), default=0)
    counts = np.zeros(ncol, dtype=int)
    for r in rows:
        for j, v in enumerate(r):
            if isinstance(v, str) and pattern.match(v):
                counts[j] += 1
    if ncol == 0 or counts.max() == 0:
        raise InputFileError(
            "found no area codes: expected DeSO codes such as '0127C1280' in one column; for "
            "other areas pass code_pattern= (a regular expression), for CSV use key="
        )
    col = int(np.argmax(counts))  # first column with the most codes
    codes = np.array(
        [
            (m.group(1) if (m := pattern.match(r[col])) and m.groups() else m.group(0).strip())
            if col < len(r) and isinstance(r[col], str) and pattern.match(r[col])
            else None
            for r in rows
        ],
        dtype=object,
    )
    return col, codes


def read_scb_xlsx(
    path: str | Path,
    *,
    kinds: Mapping[str, str] | None = None,
    code_pattern: str = DESO_PATTERN,
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read an SCB Statistikdatabasen "Excel (xlsx)" export into a tidy area table.

    The layout SCB writes: a title row, a blank row, one or more header rows (content, year,
    breakdowns; a header spanning columns is written once, in its first column), then one row
    per area with the code (optionally followed by its name) in the first column -- or after
    stub columns such as the year -- and footnotes below, ending with "Intern referenskod:".
    The reader finds the code column (the column whose values match ``code_pattern``), takes the
    rows above the first code row up to a blank row as headers and builds one column name per
    value column from the header parts that differ between columns (years go to
    ``attrs['year']``). Rows without a code inside the data block are skipped and listed in
    ``attrs['skipped_rows']``.

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    kinds
        Override the count/rate classification, ``{column: 'count'|'rate'}``.
    code_pattern
        Regular expression for the area code at the start of a cell; its first group (or the
        whole match) is the code. Default: DeSO codes (:data:`DESO_PATTERN`).
    sheet
        Sheet name or index.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``area_code``, float columns, metadata in ``attrs`` (see the module doc).

    Examples
    --------
    >>> t = read_scb_xlsx("../shared/data/scb-deso-2022/net_income_2022.xlsx")  # doctest: +SKIP
    >>> t.loc["0114A0010", "net_income_median_ksek"], t.attrs["kinds"]["persons_20plus"]
    ... # doctest: +SKIP
    (320.0, 'count')
    """
    path = Path(path)
    what = f"SCB table '{path.name}'"
    rows = _xlsx_rows(path, sheet, what)
    code_col, codes = _code_cells(rows, code_pattern, what)
    data_rows = np.flatnonzero(codes != None)  # noqa: E711 - elementwise on an object array
    first, last = int(data_rows[0]), int(data_rows[-1])
    ncol = max(len(r) for r in rows[first : last + 1])
    header = _header_rows(rows, first, what)
    value_cols = _value_columns(rows, data_rows, code_col, ncol, what)
    parts, years = _header_parts(header, rows, data_rows, code_col, ncol, value_cols)
    table_id = _footer_value(rows[last + 1 :], "Intern referenskod:")
    known = SCB_TABLES.get(table_id or "")
    names, kinds_meta = _column_names(parts, len(value_cols), first, what, known)
    index, values, skipped = _data_block(rows, first, last, codes, value_cols, names, what)
    df = pd.DataFrame(np.array(values, dtype=float).reshape(len(index), len(names)),
                      index=pd.Index(index, dtype=object), columns=names)
    df.attrs.update(
        title=str(rows[0][0]) if rows and rows[0] and rows[0][0] else "",
        table_id=table_id,
        year=min(years) if len(years) == 1 else (sorted(years) or None),
        source=str(path),
        skipped_rows=skipped,
        labels=dict(zip(names, [", ".join(p for row in parts if (p := row[k]))
                                for k in range(len(names))], strict=True)),
        kinds=kinds_meta,
        population_column=known.population_column if known else None,
        weights=(
            {c: known.weight_column for c, kd in kinds_meta.items() if kd == RATE}
            if known and known.weight_column else {}
        ),
    )
    if len(years) > 1 and df.index.duplicated().any():
        raise InputFileError(
            f"{what} holds several years ({sorted(years)}): export one year per file"
        )
    return _finish(df, names=df.attrs["labels"], kinds=kinds, what=what)


def _cell(r: tuple, j: int):
    return r[j] if j < len(r) else None


def _code_cells(rows: list[tuple], code_pattern: str, what: str):
    try:
        return _find_code_cells(rows, re.compile(code_pattern))
    except InputFileError as exc:
        raise InputFileError(f"{what}: {exc}") from None


def _xlsx_rows(path: Path, sheet: str | int, what: str) -> list[tuple]:
    """Every row of the sheet as a tuple of cell values."""
    import openpyxl

    if not path.is_file():
        raise InputFileError(f"{what} not found at {path}: check the path")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputFileError(
            f"{what} is not a readable .xlsx file ({exc}); in Statistikdatabasen choose "
            "'Save result as... > Excel (xlsx)'"
        ) from exc
    try:
        ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet]
        return [tuple(r) for r in ws.iter_rows(values_only=True)]
    except (KeyError, IndexError) as exc:
        raise InputFileError(f"{what} has no sheet {sheet!r}; sheets: {wb.sheetnames}") from exc
    finally:
        wb.close()


def _header_rows(rows: list[tuple], first: int, what: str) -> list[tuple]:
    """The header block: the non-blank rows directly above the first data row (text only)."""
    top = first
    while top > 0 and any(v not in (None, "") for v in rows[top - 1]):
        top -= 1
    for i in range(top, first):
        nums = [v for v in rows[i] if isinstance(v, int | float) and not isinstance(v, bool)
                and not _YEAR_RE.match(str(v))]  # a year may be written as a number
        if nums:
            raise InputFileError(
                f"{what}: row {i + 1}, above the first area row (row {first + 1}), holds numbers "
                f"({nums[:3]}): header rows hold text only. Is it a data row without an area code "
                "(e.g. a total for the whole country)? Remove it, or export the table again"
            )
    return [rows[i] for i in range(top, first)]


def _value_columns(rows, data_rows, code_col: int, ncol: int, what: str) -> list[int]:
    """Columns right of the codes holding values (not a text column of area names)."""
    value_cols = [
        j for j in range(code_col + 1, ncol)
        if any(_cell(rows[i], j) is not None for i in data_rows)
    ]
    if not value_cols:
        raise InputFileError(f"{what}: no value columns to the right of the area codes")
    # drop a text column right after the code ("Excel with code and text column" exports)
    text_cols = [
        j for j in value_cols
        if sum(isinstance(_cell(rows[i], j), str) and _cell(rows[i], j).strip() not in _MISSING
               | _ZERO for i in data_rows) > 0.5 * len(data_rows)
    ]
    return [j for j in value_cols if j not in text_cols]


def _header_parts(header, rows, data_rows, code_col: int, ncol: int, value_cols: list[int]):
    """Header parts per value column (spanning headers forward-filled), and the years set
    aside (from the headers, or from a stub column left of the codes)."""
    years: set[int] = set()
    parts: list[list[str | None]] = []
    for r in header:
        row_parts, current = [], None
        for j in range(code_col + 1, ncol):
            v = _cell(r, j)
            if v is not None and str(v).strip():
                current = str(v).strip()
            if j in value_cols:
                if current is not None and _YEAR_RE.match(current):
                    years.add(int(current))
                    row_parts.append(None)
                else:
                    row_parts.append(current)
        parts.append(row_parts)
    for i in data_rows:  # a year in a stub column (left of the codes)
        for j in range(code_col):
            v = _cell(rows[i], j)
            if v is not None and _YEAR_RE.match(str(v).strip()):
                years.add(int(str(v).strip()))
    return parts, years


def _column_names(parts, n_values: int, first: int, what: str, known):
    """One unique column name and kind per value column: a known SCB table's names, else
    from the header parts that differ between columns."""
    if not any(p is not None for row in parts for p in row):
        raise InputFileError(
            f"{what}: found no header row above the first area row (row {first + 1}); SCB "
            "exports have a title row, a blank row and header rows naming each column: "
            "export the table again from Statistikdatabasen, or add a header row"
        )
    full = [" ".join(p for row in parts if (p := row[k]) is not None) for k in range(n_values)]
    varying = [row for row in parts if len(set(row)) > 1]
    if n_values > 1 and not varying:
        raise InputFileError(
            f"{what}: the header rows do not tell the {n_values} value columns apart (all "
            f"read {full[0]!r}): a header row is missing; export the table again from "
            "Statistikdatabasen with its header rows"
        )
    short = (
        [" ".join(p for row in varying if (p := row[k]) is not None) for k in range(n_values)]
        if varying else full
    )
    names: list[str] = []
    kinds_meta: dict[str, str] = {}
    for k in range(n_values):
        hit = known.columns.get(slugify(full[k])) if known else None
        if hit:
            name, kind = hit
        else:
            name = slugify(short[k]) or slugify(full[k]) or f"col_{k + 1}"
            if name[0].isdigit():
                name = f"c_{name}"
            kind = _guess_kind(slugify(full[k]))
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
        kinds_meta[name] = kind
    return names, kinds_meta


def _data_block(rows, first: int, last: int, codes, value_cols: list[int], names: list[str],
                what: str):
    """Codes, numbers and the skipped rows (row number, first text) of the data block."""
    index, values, skipped = [], [], []
    for i in range(first, last + 1):
        r = rows[i]
        if codes[i] is None:
            if any(v not in (None, "") for v in r):
                skipped.append((i + 1, str(next(v for v in r if v not in (None, "")))))
            continue
        index.append(codes[i])
        values.append(
            [_to_number(_cell(r, j), f"{what} row {i + 1} ({codes[i]}), column "
                        f"'{names[k]}'") for k, j in enumerate(value_cols)]
        )
    return index, values, skipped


# --------------------------------------------------------------------------------------------
# CSV


def read_area_csv(
    path: str | Path,
    key: str,
    *,
    kinds: Mapping[str, str] | None = None,
    sep: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a plain CSV area table with a named key column.

    Column names are made lower_snake (:func:`slugify`); values are parsed as numbers (decimal
    comma accepted, ``..`` -> NaN). Text columns other than the key are dropped.

    Parameters
    ----------
    path
        The CSV file (UTF-8, or Windows-1252 as older SCB/DST exports).
    key
        Name of the column with the area codes (matched before and after slugifying).
    kinds
        ``{column: 'count'|'rate'}`` for the (slugified) columns; others are guessed by name.
    sep
        Field separator; sniffed (``,`` ``;`` tab) when not given.
    encoding
        Text encoding; tried UTF-8 then Windows-1252 when not given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("DeSO;Folkmängd;Andel 65+\\n0127C1280;1 200;12,5\\n0127C1290;..;9\\n",
    ...                  encoding="utf-8")
    >>> t = read_area_csv(p, "DeSO")
    >>> t.to_dict("index")["0127C1280"], t.attrs["kinds"]
    ({'folkmangd': 1200.0, 'andel_65_plus': 12.5}, {'folkmangd': 'count', 'andel_65_plus': 'rate'})
    """
    path = Path(path)
    what = f"table '{path.name}'"
    raw = _csv_text(path, sep, encoding, what)
    cols = {c: slugify(c) for c in raw.columns}
    key_col = next((c for c in raw.columns if c == key or cols[c] == slugify(key)), None)
    if key_col is None:
        raise InputFileError(
            f"{what} has no key column {key!r}; its columns are {list(raw.columns)}: pass the "
            "name of the column holding the area codes as key="
        )
    codes = raw[key_col].astype(str).str.strip()
    out, labels = {}, {}
    for c in raw.columns:
        if c == key_col:
            continue
        vals = raw[c].astype(str).str.strip()
        non_missing = vals[~vals.isin(_MISSING | _ZERO)]
        numeric = non_missing.str.replace("\u00a0", "").str.replace(" ", "").str.fullmatch(
            r"-?\d+([.,]\d+)?([eE][-+]?\d+)?")
        if len(non_missing) and not numeric.all():
            if numeric.mean() < 0.5:
                continue  # a text column (e.g. area names)
            bad = non_missing[~numeric].iloc[0]
            raise InputFileError(f"{what}: column {c!r} has a non-numeric value {bad!r}")
        name = cols[c] or f"col_{len(out) + 1}"
        out[name] = [_to_number(v, f"{what} column {c!r}") for v in vals]
        labels[name] = c
    df = pd.DataFrame(out, index=pd.Index(codes.to_numpy(dtype=object)), dtype=float)
    df.attrs.update(title=path.stem, table_id=None, year=None, source=str(path),
                    skipped_rows=[], labels=labels, kinds={}, weights={},
                    population_column=None)
    return _finish(df, names=labels, kinds=kinds, what=what)


def _csv_text(path: Path, sep: str | None, encoding: str | None, what: str) -> pd.DataFrame:
    """Every cell as text; the encoding tried UTF-8 then Windows-1252 when not given."""
    if not path.is_file():
        raise InputFileError(f"{what} not found at {path}: check the path")
    for enc in [encoding] if encoding else ["utf-8-sig", "cp1252"]:
        try:
            return pd.read_csv(path, sep=sep, engine="python", dtype=str, encoding=enc,
                               keep_default_na=False)
        except UnicodeDecodeError:
            continue
        except Exception as exc:
            raise InputFileError(f"{what} is not a readable CSV file: {exc}") from exc
    raise InputFileError(f"{what}: cannot decode the text; pass encoding=")


def read_area_table(
    path: str | Path, *, key: str | None = None, kinds: Mapping[str, str] | None = None, **kw
) -> pd.DataFrame:
    """Read an area table: SCB ``.xlsx`` export or ``.csv``/``.txt`` with ``key`` column.

    Examples
    --------
    >>> read_area_table("x.csv")
    Traceback (most recent call last):
    ...
    geoplan.errors.ConfigError: a CSV area table needs key=: the name of its area-code column
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_scb_xlsx(path, kinds=kinds, **kw)
    if suffix in (".csv", ".txt", ".tsv"):
        if not key:
            raise ConfigError("a CSV area table needs key=: the name of its area-code column")
        return read_area_csv(path, key, kinds=kinds, **kw)
    raise InputFileError(
        f"cannot read area table '{Path(path).name}': use an SCB .xlsx export or a .csv file"
    )


def combine_area_tables(*tables: pd.DataFrame) -> pd.DataFrame:
    """Join area tables on their codes (outer join), keeping their column metadata.

    Columns present in several tables under the same name (e.g. ``pop_total``) are kept from
    the first table that has them.

    Examples
    --------
    >>> a = pd.DataFrame({"population": [10.0]}, index=["X"]); a.attrs["kinds"] = {"population": "count"}
    >>> b = pd.DataFrame({"income_median": [5.0]}, index=["X"])
    >>> t = combine_area_tables(a, b)
    >>> t.attrs["kinds"], t.attrs["population_column"]
    ({'population': 'count', 'income_median': 'rate'}, 'population')
    """
    if not tables:
        raise ConfigError("combine_area_tables needs at least one table")
    out = None
    kinds, weights, labels, pop = {}, {}, {}, None
    for t in tables:
        tk = column_kinds(t)
        new = [c for c in t.columns if out is None or c not in out.columns]
        part = t[new]
        out = part.copy() if out is None else out.join(part, how="outer")
        kinds.update({c: tk[c] for c in new})
        weights.update({c: w for c, w in t.attrs.get("weights", {}).items()
                        if c in new and w is not None})
        labels.update({c: v for c, v in t.attrs.get("labels", {}).items() if c in new})
        pop = pop or t.attrs.get("population_column")
    out.attrs = {"kinds": kinds, "weights": weights, "labels": labels, "population_column": pop,
                 "title": " + ".join(str(t.attrs.get("title", "")) for t in tables),
                 "sources": [t.attrs.get("source") for t in tables]}
    return _finish(out, names=labels, kinds=None, what="combined table")


# --------------------------------------------------------------------------------------------
# join to polygons


@dataclass(frozen=True)
class JoinReport:
    """How an area table matched the area polygons."""

    matched: int
    #: codes in the table without a polygon (usually areas outside the polygons' region)
    table_only: tuple[str, ...] = field(default=())
    #: polygon codes without a row in the table (they get NaN values)
    polygons_only: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """One line for logs and reports."""
        return (
            f"{self.matched} areas matched; {len(self.table_only)} table rows without a polygon; "
            f"{len(self.polygons_only)} polygons without a table row"
            + (f" (e.g. {', '.join(self.polygons_only[:5])})" if self.polygons_only else "")
        )


def join_area_table(areas, table: pd.DataFrame, *, area_key: str = "id"):
    """Attach an area table to area polygons by code.

    Parameters
    ----------
    areas
        GeoDataFrame of area polygons with the code in column ``area_key``.
    table
        Area table indexed by code (from :func:`read_area_table`).
    area_key
        Column of ``areas`` holding the codes (``'id'`` in SCB's DeSO GeoPackage/GeoJSON).

    Returns
    -------
    (geopandas.GeoDataFrame, JoinReport)
        The polygons (same order) with the table's columns (NaN where no row matched) and the
        report of unmatched codes. ``attrs`` carry the table's metadata.

    Raises
    ------
    GeoplanError
        No code matches (wrong key column or another kind of area), or duplicate polygon codes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> areas = gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> table = pd.DataFrame({"population": [10.0, 5.0, 7.0]}, index=["A", "B", "C"])
    >>> out, rep = join_area_table(areas, table)
    >>> out["population"].tolist(), rep.table_only
    ([10.0, 5.0], ('C',))
    """
    if area_key not in areas.columns:
        raise ConfigError(
            f"the area polygons have no column {area_key!r}; their columns are "
            f"{[c for c in areas.columns if c != areas.geometry.name]}: pass area_key="
        )
    keys = areas[area_key].astype(str).str.strip()
    tab_keys = pd.Index(table.index.astype(str).str.strip())
    matched = keys.isin(tab_keys)
    if not matched.any():
        hint = ""
        stripped = keys.str.lstrip("0")
        if stripped.isin(tab_keys.str.lstrip("0")).any():
            hint = (
                "; the codes differ only in leading zeros (a table opened and saved in Excel "
                "loses them, '0127C1280' -> '127C1280'): export the table again, or import the "
                "code column as text"
            )
        raise GeoplanError(
            f"no area code in the table matches the polygons' {area_key!r} column "
            f"(table codes look like {list(tab_keys[:3])}, polygon codes like "
            f"{list(keys.iloc[:3])}): check area_key= and that both are the same kind of area"
            + hint
        )
    dup = keys[keys.duplicated()].unique()
    if len(dup):
        raise GeoplanError(
            f"area polygons have duplicate codes in {area_key!r}, e.g. {list(dup[:5])}: dissolve "
            "them first (QGIS: Vector geometry > Dissolve, field = the code)"
        )
    t = table.copy()
    t.index = tab_keys
    clash = [c for c in t.columns if c in areas.columns]
    if clash:
        raise ConfigError(f"the table and the polygons share column names {clash}: rename one")
    out = areas.copy()
    vals = t.reindex(keys.to_numpy())
    for c in t.columns:
        out[c] = vals[c].to_numpy()
    out.attrs = dict(table.attrs)
    report = JoinReport(
        matched=int(matched.sum()),
        table_only=tuple(sorted(set(tab_keys) - set(keys))),
        polygons_only=tuple(keys[~matched]),
    )
    return out, report
