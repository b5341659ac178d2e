"""The council layout's change table never drops rows silently, and never the bad news."""

from __future__ import annotations

import csv

import pytest

pytestmark = pytest.mark.qgis


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _row(label, change, better="higher", area="__study_area__"):
    return {"area_key": area, "area_name": "", "label": label, "before": "10",
            "after": str(10 + change), "change": str(change), "unit": "persons", "better": better}


def test_overflow_keeps_every_worse_row_and_says_how_many_are_left(qgis_app, tmp_path):
    from geoplan_qgis.layout import changes_table

    rows = [_row(f"gain {i}", 5) for i in range(10)]
    rows += [_row("safety worse", 245, better="lower"), _row("access worse", -3)]
    rows += [_row("unchanged", 0), _row("rounds to zero", 0.001), _row("area row", 9, area="A")]
    _write(tmp_path / "changes.csv", rows)
    _headers, body = changes_table(tmp_path / "changes.csv", "en", max_rows=8)
    labels = [r[1] for r in body]
    assert "safety worse" in labels and "access worse" in labels
    assert "unchanged" not in labels and "rounds to zero" not in labels and "area row" not in labels
    assert len(body) == 8 and body[-1][0] == "+ 5 more changes: see changes.xlsx"  # 12 - 7


def test_small_tables_are_shown_whole(qgis_app, tmp_path):
    from geoplan_qgis.layout import changes_table

    _write(tmp_path / "changes.csv", [_row("a", 1), _row("b", -1)])
    _headers, body = changes_table(tmp_path / "changes.csv", "sv")
    assert [r[1] for r in body] == ["a", "b"]
