"""The indicator catalogue (geoplan.columns): names follow the configured distances, every
headline column exists in the demo grid, and one ``better`` agrees with every output."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest

from geoplan.columns import (
    FINDINGS_KEY_CATEGORIES,
    HEADLINE,
    STUDY_AREA_KEY,
    Indicator,
    better,
    catalogue,
    describe,
)
from geoplan.errors import ConfigError
from geoplan.types import AccessSpec

SPEC_500 = AccessSpec(categories=("school", "grocery"), radii_m=(500.0,),
                      night_threshold_m=500.0, green_within_m=250.0,
                      green_per_capita_within_m=700.0, green_scb_min_ha=0.8)


@pytest.fixture(scope="module")
def demo_grid_columns(demo_250_run) -> list[str]:
    out, _ = demo_250_run()  # the demo on a 250 m grid, run once per session (tests/conftest.py)
    return [str(f) for f in pyogrio.read_info(out / "geoplan.gpkg", layer="grid")["fields"]]


def test_names_and_labels_follow_the_configured_distances():
    cat = catalogue(SPEC_500)
    assert "n_school_500m" in cat and "n_school_800m" not in cat
    assert "night_n_grocery_500m" in cat and "dist_library_m" not in cat
    assert "500 m" in cat["n_school_500m"].label("en")
    assert "500 m" in cat["loses_school_at_night"].label("sv")
    assert cat["loses_school_at_night"].label("en") == (
        "School within 500 m by day but not on lit paths after dark")
    # the column keeps its historical name; the label says what was configured
    assert cat["green_scb_300m"].label("sv") == "Allmän grönyta på minst 0,8 ha inom 250 m"
    assert "700 m" in cat["green_m2_per_capita"].label("en")
    assert "12_5m" in "".join(catalogue(AccessSpec(radii_m=(12.5,))))


def test_catalogue_names_are_the_indicator_modules_names():
    from geoplan.indicators.access import access_columns
    from geoplan.indicators.findings import FINDINGS_CELL_COLUMNS, KEY_CATEGORIES
    from geoplan.indicators.green import GREEN_COLUMNS
    from geoplan.indicators.night import night_columns
    from geoplan.indicators.safety import SAFETY_COLUMNS

    for spec in (AccessSpec(), SPEC_500):
        names = list(catalogue(spec, findings=True))
        for cols in (access_columns(spec), night_columns(spec), GREEN_COLUMNS, SAFETY_COLUMNS,
                     FINDINGS_CELL_COLUMNS):
            assert set(cols) <= set(names), set(cols) - set(names)
    assert FINDINGS_KEY_CATEGORIES == KEY_CATEGORIES
    assert "safety_no_open_findings" in catalogue(findings=True)
    assert "findings_open" not in catalogue()


def test_every_headline_column_exists_in_the_demo_grid(demo_grid_columns):
    assert set(HEADLINE) <= set(demo_grid_columns)
    cat = catalogue()
    assert list(cat) == demo_grid_columns  # every grid column described, in the grid's order


def test_every_entry_is_complete():
    for name, ind in catalogue(SPEC_500, findings=True).items():
        assert ind.column == name
        for lang in ("en", "sv", "da"):
            assert ind.label(lang) and "{" not in ind.label(lang), (name, lang)
            assert "{" not in ind.description(lang)
        assert ind.better == better(name)
    with pytest.raises(ConfigError, match="better"):
        Indicator("x", better="up")
    with pytest.raises(ConfigError, match="language"):
        catalogue()["pop"].label("fi")


# what each output decided before the catalogue, kept as the reference
MAPS_BETTER = {"pop": "", "safety_index": "higher", "dist_grocery_m": "lower",
               "loses_school_at_night": "lower", "green_scb_300m": "higher",
               "findings_open": "lower", "lit": ""}
#: grid column behind each measure of the scenario change table, and its ``better``
CHANGE_TABLE_BETTER = {"green_m2_per_capita": "higher", "night_detour_school": "lower",
                       "dist_grocery_m": "lower", "night_dist_school_m": "lower",
                       "lit_share": "higher", "eyes_on_street": "higher",
                       "safety_index": "higher", "green_scb_300m": "higher"}


#: the scenario's own headline list before the catalogue (scenario/core.py HEADLINE, less pop)
SCENARIO_HEADLINE_BEFORE = ("night_dist_school_m", "night_dist_grocery_m", "dist_green_scb_m",
                            "green_m2_per_capita", "safety_index", "lit_share", "eyes_on_street")


def _scenario_style_rule(column: str) -> str:
    """The scenario's change styles before the catalogue (scenario.core._change_styles)."""
    return "lower" if column.endswith("_m") or "detour" in column else "higher"


def _plugin_rule(column: str) -> bool:
    """The plugin layout's "lower is better" before the catalogue."""
    return column.startswith(("dist_", "night_dist_", "dark_", "unknown_", "longest_dark",
                              "tunnel"))


def test_better_agrees_with_every_output():
    from geoplan.outputs.maps import REPORT_MAPS

    assert {m.column: m.better for m in REPORT_MAPS} == MAPS_BETTER
    for column, direction in CHANGE_TABLE_BETTER.items():
        assert better(column) == direction, column
        for suffix in ("_before", "_after", "_change"):
            assert better(column + suffix) == direction
    for column in SCENARIO_HEADLINE_BEFORE:  # the rule was right for the columns it styled
        assert better(column) == _scenario_style_rule(column), column
    # and wrong for a yes/no "loses … at night", which the one headline list now holds
    assert _scenario_style_rule("loses_school_at_night") != better("loses_school_at_night")
    for column in catalogue():
        if _plugin_rule(column):
            assert better(column) == "lower", column
    assert better("green_scb_300m_pop_share") == "higher"
    assert better("loses_grocery_at_night_pop_share") == "lower"


def test_describe_and_study_area_key():
    assert describe("n_grocery_650m", SPEC_500).label("en").startswith(
        "Destinations within 650 m walk")
    assert describe("no_such_column") is None
    from geoplan.indicators.equity import STUDY_AREA_KEY as EQUITY_KEY

    assert STUDY_AREA_KEY == EQUITY_KEY == "__study_area__"


def test_columns_imports_only_basics():
    import ast

    import geoplan.columns as mod

    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    local = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level}
    assert local <= {"errors", "types", "i18n"}, local


def test_words_made_on_demand_are_every_languages_words():
    """describe() formats a language's words only when read; all three are still there, equal
    (also as a whole mapping) to the catalogue's translations."""
    from geoplan.columns import Indicator, describe
    from geoplan.types import AccessSpec

    ind = describe("loses_school_at_night", AccessSpec(night_threshold_m=650.0))
    assert ind.label("sv") == "Skola inom 650 m på dagen men inte längs belysta vägar i mörker"
    assert dict(ind.labels) == {
        "en": "School within 650 m by day but not on lit paths after dark",
        "sv": "Skola inom 650 m på dagen men inte längs belysta vägar i mörker",
        "da": "Skole inden for 650 m om dagen men ikke ad belyste veje i mørke"}
    assert ind.description("da") == ("I mørke bruges kun belyste veje; veje med ukendt belysning "
                                     "regnes som mørke.")
    eager = Indicator(ind.column, unit=ind.unit, better=ind.better, kind=ind.kind,
                      labels=dict(ind.labels), descriptions=dict(ind.descriptions))
    assert eager == ind and ind == eager
    assert describe("n_grocery_500m").description("en") == ""
    with pytest.raises(KeyError):
        ind.labels["fi"]
