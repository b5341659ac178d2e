"""QGIS shows geoplan's field aliases (in the run's language) when a planner opens the grid."""

from __future__ import annotations

from pathlib import Path

import pytest

from geoplan.config import parse_pipeline
from geoplan.runs.pipeline import run_pipeline

pytestmark = pytest.mark.qgis


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_every_grid_column_has_an_alias_in_qgis(qgis_app, tmp_path, lang):
    from qgis.core import QgsVectorLayer

    text = f'[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n[output]\nlang = "{lang}"'
    run_pipeline(parse_pipeline(text, Path(".")), tmp_path / "out")
    layer = QgsVectorLayer(f"{tmp_path / 'out' / 'geoplan.gpkg'}|layername=grid", "grid", "ogr")
    assert layer.isValid()
    fields = layer.fields()
    aliases = {fields[i].name(): fields[i].alias() for i in range(fields.count())}
    missing = [n for n, a in aliases.items() if n != "fid" and not a.strip()]
    assert not missing, missing
    words = {"sv": "Trygghetsindex", "da": "Tryghedsindeks", "en": "Safety index"}
    assert aliases["safety_index"].startswith(words[lang]), aliases["safety_index"]
    # the style's renderer still applies beside the aliases
    assert layer.renderer().type() == "graduatedSymbol"
