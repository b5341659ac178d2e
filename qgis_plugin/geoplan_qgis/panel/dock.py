"""The scenario panel: a planner's proposal, drawn on the map, run in the background, compared.

What a planner does:

1. chooses the **baseline** — the output folder of a geoplan run (or a pipeline file) — and,
   optionally, a **study area** layer;
2. presses a drawing tool (new paths, street lamps, densification, green spaces, destinations):
   a scratch layer of that kind (the scenario schema's fields, with dropdowns and defaults) is
   added to the group "geoplan scenario edits" and QGIS's *Add feature* tool starts on it;
3. presses **Run**: the edits are checked and saved as ``scenario.toml`` in the output folder,
   then the registered algorithm ``geoplan:scenario`` runs as a background task (QGIS stays
   usable; **Cancel** stops it). When it is done, its layers (scenario grid, grid_change,
   areas_change) arrive as a layer group, styled by the styles stored in the GeoPackage, and
   the change table (``changes.csv``) fills the table of the panel. A run folder's saved
   baseline (``scenario_baseline.pkl``) is used when the baseline is that folder (or, with no
   baseline chosen, the folder a loaded layer comes from) and kept in memory for the next run:
   no OSM read, no baseline computed; a stale one is said and the pipeline used instead;
   with **Write only what changes** ticked (the default for a run folder's saved baseline) the
   run writes only the cells and area rows that change (:func:`geoplan.runs.trial.run_trial`,
   well under a second where the full scenario takes many): the panel loads ``grid_change``
   and ``areas_change`` (no grid after the scenario is written) and the change table;
4. presses **Council layout** for the A3 layout (PDF and PNG next to the outputs): it needs the
   full scenario, so it stays off after a run that wrote only what changes (its tooltip says so).

Nothing is computed on the GUI thread; the panel converts and loads, the core computes.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsLayerTreeGroup,
    QgsMapLayerProxyModel,
    QgsMessageLog,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt, pyqtSignal, pyqtSlot
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from geoplan.columns import STUDY_AREA_KEY
from geoplan.runs import folder as rf

from ..algorithms.scenario import SCENARIO_LAYERS
from ..i18n import tr
from ..scenario_edits import EDIT_KINDS, make_edit_layer

__all__ = ["EDITS_GROUP", "ScenarioDock"]

EDITS_GROUP = "geoplan scenario edits"
LOG_TAG = "geoplan"
#: columns of changes.csv shown in the panel's table, and their headers
TABLE_COLUMNS = ("area_name", "label", "before", "after", "change", "unit")
TABLE_HEADERS = {"area_name": "Area", "label": "Measure", "before": "Before", "after": "After",
                 "change": "Change", "unit": "Unit"}


class ScenarioDock(QDockWidget):
    """The geoplan scenario panel."""

    #: emitted on the main thread when a run ended: (ok, output folder)
    runFinished = pyqtSignal(bool, str)  # noqa: N815 - Qt naming

    def __init__(self, iface=None, parent=None):
        super().__init__(tr("geoplan scenario"), parent)
        self.setObjectName("GeoplanScenarioDock")
        self.iface = iface
        self.edit_layers: dict[str, QgsVectorLayer] = {}
        self.result_layers: list[QgsVectorLayer] = []
        self.task = None
        self._cancel_requested = False
        self._context = None
        self._feedback = None
        self.out_dir: Path | None = None
        self.council = None
        self.trial = False  #: whether the last run wrote only what changes
        self._changed_only_wanted = True  # the planner's choice, for a saved baseline
        self._build()

    # --- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        from qgis.gui import QgsMapLayerComboBox

        body = QWidget(self)
        layout = QVBoxLayout(body)

        form = QFormLayout()
        self.baseline_edit = QLineEdit(body)
        self.baseline_edit.setPlaceholderText(tr("Output folder of a geoplan run, or a pipeline "
                                                 "file (.toml)"))
        browse = QToolButton(body)
        browse.setText("…")
        browse.clicked.connect(self._browse_baseline)
        row = QHBoxLayout()
        row.addWidget(self.baseline_edit)
        row.addWidget(browse)
        form.addRow(tr("Baseline"), row)
        self.area_combo = QgsMapLayerComboBox(body)
        self.area_combo.setFilters(_polygon_filter())
        self.area_combo.setAllowEmptyLayer(True)
        self.area_combo.setLayer(None)
        form.addRow(tr("Study area"), self.area_combo)
        self.name_edit = QLineEdit(tr("Scenario"), body)
        form.addRow(tr("Scenario name"), self.name_edit)
        self.out_edit = QLineEdit(body)
        self.out_edit.setPlaceholderText(tr("Output folder (default: a new temporary folder)"))
        form.addRow(tr("Output folder"), self.out_edit)
        layout.addLayout(form)
        self.changed_only = QCheckBox(tr("Write only what changes (fast, for trying proposals)"),
                                      body)
        self.changed_only.setObjectName("changed_only")
        self.changed_only.clicked.connect(self._changed_only_clicked)
        layout.addWidget(self.changed_only)
        self.baseline_edit.textChanged.connect(self._baseline_changed)
        self._baseline_changed("")

        layout.addWidget(QLabel(tr("Draw the proposal:"), body))
        tools = QGridLayout()
        self.draw_buttons: dict[str, QPushButton] = {}
        for i, kind in enumerate(EDIT_KINDS):
            button = QPushButton(tr(EDIT_KINDS[kind].title), body)
            button.setObjectName(f"draw_{kind}")
            button.clicked.connect(lambda _checked=False, k=kind: self.start_drawing(k))
            tools.addWidget(button, i // 2, i % 2)
            self.draw_buttons[kind] = button
        layout.addLayout(tools)

        buttons = QHBoxLayout()
        self.run_button = QPushButton(tr("Run"), body)
        self.run_button.setObjectName("run")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton(tr("Cancel"), body)
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.layout_button = QPushButton(tr("Council layout"), body)
        self.layout_button.setObjectName("council_layout")
        self.layout_button.setEnabled(False)
        self.layout_button.clicked.connect(self.council_layout)
        for b in (self.run_button, self.cancel_button, self.layout_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.progress = QProgressBar(body)
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        self.status = QLabel("", body)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.table = QTableWidget(0, 0, body)
        self.table.setObjectName("changes")
        layout.addWidget(self.table)
        self.setWidget(body)

    def _changed_only_clicked(self, checked: bool) -> None:
        self._changed_only_wanted = checked

    def _baseline_changed(self, text: str) -> None:
        """*Write only what changes* works on a run folder's saved baseline (or none chosen
        yet: a loaded layer's run folder may be one): ticked there unless the planner unticked
        it, else off."""
        from ..algorithms.scenario import saved_run_folder

        text = text.strip()
        usable = not text or saved_run_folder(text) is not None
        self.changed_only.setEnabled(usable)
        self.changed_only.setChecked(usable and self._changed_only_wanted)
        self.changed_only.setToolTip("" if usable else tr(
            "Only with the output folder of a geoplan run that saved its baseline."))

    def _browse_baseline(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Output folder of a geoplan run"))
        if folder:
            self.baseline_edit.setText(folder)

    # --- drawing ------------------------------------------------------------------------------
    def edit_layer(self, kind: str) -> QgsVectorLayer:
        """The scratch layer of ``kind`` (made and added to the project on first use)."""
        layer = self.edit_layers.get(kind)
        if layer is not None and _alive(layer):
            return layer
        project = QgsProject.instance()
        layer = make_edit_layer(kind, self.baseline_crs() or project.crs())
        project.addMapLayer(layer, False)
        root = project.layerTreeRoot()
        group = root.findGroup(EDITS_GROUP) or root.insertGroup(0, EDITS_GROUP)
        group.addLayer(layer)
        self.edit_layers[kind] = layer
        return layer

    def start_drawing(self, kind: str) -> QgsVectorLayer:
        """Make the layer of ``kind`` editable and start QGIS's *Add feature* tool on it."""
        layer = self.edit_layer(kind)
        if not layer.isEditable():
            layer.startEditing()
        if self.iface is not None:
            self.iface.setActiveLayer(layer)
            action = getattr(self.iface, "actionAddFeature", None)
            if action is not None:
                action().trigger()
        self.status.setText(tr("Draw on the map, then fill in the attributes. {layer}").format(
            layer=layer.name()))
        return layer

    # --- running --------------------------------------------------------------------------------
    def loaded_run_folder(self) -> str:
        """The run folder (with a saved baseline) a layer of the project was loaded from, or
        "": the planner who opened a run's layers need not choose the baseline again."""
        from ..algorithms.scenario import saved_run_folder

        for layer in QgsProject.instance().mapLayers().values():
            source = layer.source().split("|")[0]
            if source.endswith(rf.GPKG):
                folder = saved_run_folder(source)
                if folder is not None:
                    return str(folder)
        return ""

    def baseline_crs(self):
        """The metric CRS of the baseline run (from its GeoPackage grid), or None."""
        from qgis.core import QgsCoordinateReferenceSystem

        text = self.baseline_edit.text().strip()
        if not text:
            return None
        gpkg = rf.RunFolder(text).gpkg if Path(text).is_dir() else None
        if gpkg is None or not gpkg.is_file():
            return None
        layer = QgsVectorLayer(f"{gpkg}|layername={rf.GRID}", rf.GRID, "ogr")
        crs = layer.crs() if layer.isValid() else QgsCoordinateReferenceSystem()
        return crs if crs.isValid() else None

    def scenario(self):
        """The drawn edits as the core's :class:`geoplan.types.Scenario` (checked by the core)."""
        from ..scenario_edits import scenario_from_sources

        crs = self.baseline_crs() or QgsProject.instance().crs()
        for layer in self.edit_layers.values():
            if _alive(layer) and layer.isEditable():
                layer.commitChanges(False)  # keep editing; the features are saved
        sources = {k: lyr for k, lyr in self.edit_layers.items() if _alive(lyr)}
        return scenario_from_sources(self.name_edit.text().strip(), sources, crs)

    def run(self) -> bool:
        """Check the edits, save them and start ``geoplan:scenario`` as a background task."""
        from geoplan.errors import GeoplanError

        if self.task is not None:
            return False
        baseline = self.baseline_edit.text().strip() or self.loaded_run_folder()
        if baseline:
            self.baseline_edit.setText(baseline)
        else:
            self._fail(tr("Choose the baseline: the output folder of a geoplan run or a "
                          "pipeline file."))
            return False
        out = self.out_edit.text().strip()
        self.out_dir = Path(out) if out else Path(tempfile.mkdtemp(prefix="geoplan_scenario_"))
        try:
            from ..algorithms.scenario import save_scenario

            scenario = self.scenario()
            scenario_file = save_scenario(scenario, self.out_dir.parent / (
                self.out_dir.name + "_scenario.toml"))
        except (GeoplanError, ImportError) as err:
            self._fail(str(err))
            return False
        if Path(baseline).is_dir():  # the file parameter takes a file of the run's folder
            for name in (rf.PIPELINE_TOML, rf.PROVENANCE, rf.GPKG):
                if (Path(baseline) / name).is_file():
                    baseline = str(Path(baseline) / name)
                    break
        params = {"BASELINE": baseline, "SCENARIO": str(scenario_file),
                  "OUTPUT": str(self.out_dir), "LOAD": False,
                  "CHANGED_ONLY": self.changed_only.isChecked()}
        area = self.area_combo.currentLayer()
        if area is not None:
            params["AREA"] = area.id()
        alg = QgsApplication.processingRegistry().createAlgorithmById("geoplan:scenario")
        if alg is None:
            self._fail(tr("The geoplan Processing provider is not loaded: enable the geoplan "
                          "plugin."))
            return False
        self._context = QgsProcessingContext()
        self._context.setProject(QgsProject.instance())
        self._feedback = QgsProcessingFeedback()
        # the task reports from its thread: bound methods of this widget run queued on the GUI's
        self._feedback.progressChanged.connect(self._on_progress)
        self._cancel_requested = False
        self.task = QgsProcessingAlgRunnerTask(alg, params, self._context, self._feedback)
        self.task.executed.connect(self._on_executed)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText(tr("Running the scenario…"))
        QgsApplication.taskManager().addTask(self.task)
        return True

    def cancel(self) -> None:
        """Stop the running scenario (the core stops at its next progress check)."""
        if self.task is not None:
            self._cancel_requested = True
            self.status.setText(tr("Cancelling…"))
            self.task.cancel()

    @pyqtSlot(float)
    def _on_progress(self, value: float) -> None:
        self.progress.setValue(int(value))

    def is_running(self) -> bool:
        return self.task is not None

    def _on_executed(self, ok: bool, results: dict) -> None:
        """On the main thread: load the outputs as a styled group and fill the change table."""
        self.task = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if not ok:
            cancelled = self._cancel_requested or (self._feedback is not None
                                                   and self._feedback.isCanceled())
            log = self._feedback.textLog() if self._feedback is not None else ""
            message = tr("Cancelled.") if cancelled else tr("The scenario did not run: {error}"
                                                             ).format(error=_last_error(log))
            self._fail(message)
            self.runFinished.emit(False, str(self.out_dir or ""))
            return
        out = Path(results.get("OUTPUT") or self.out_dir)
        self.out_dir = out
        self.trial = bool(results.get("TRIAL"))
        self.load_results(out, results)
        self.show_changes(Path(results.get("CHANGES") or out / rf.CHANGES_CSV))
        self.progress.setValue(100)
        note = results.get("BASELINE_NOTE") or ""
        if note:  # the saved baseline was stale or foreign: computed from the pipeline
            self._fail(note)
        self.status.setText("\n".join([tr("Done: {folder}").format(folder=out), note]).strip())
        self.layout_button.setEnabled(not self.trial)
        self.layout_button.setToolTip(tr(
            "Only the cells that change were written: run the scenario with 'Write only what "
            "changes' unticked for the council layout.") if self.trial else "")
        self.runFinished.emit(True, str(out))

    def load_results(self, out: Path, results: dict | None = None) -> QgsLayerTreeGroup:
        """The scenario's layers as one group, each with the style stored in the GeoPackage:
        those the algorithm's ``results`` name (a run that wrote only what changes has no
        grid), else every loaded layer of
        :data:`~geoplan_qgis.algorithms.scenario.SCENARIO_LAYERS` the GeoPackage holds."""
        project = QgsProject.instance()
        root = project.layerTreeRoot()
        name = tr("geoplan: {scenario}").format(scenario=self.name_edit.text().strip() or
                                                tr("Scenario"))
        old = root.findGroup(name)
        if old is not None:
            for node in old.findLayers():
                project.removeMapLayer(node.layerId())
            root.removeChildNode(old)
        group = root.insertGroup(0, name)
        self.result_layers = []
        gpkg = rf.RunFolder(out).gpkg
        for r in SCENARIO_LAYERS:
            if not r.loaded:
                continue
            uri = f"{gpkg}|layername={r.layer}" if results is None else results.get(r.output)
            if not uri:
                continue
            layer = QgsVectorLayer(uri, tr(r.display), "ogr")
            if not layer.isValid():
                continue
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            self.result_layers.append(layer)
        return group

    def show_changes(self, path: Path) -> None:
        """``changes.csv`` in the panel's table."""
        self.table.clear()
        if not path.is_file():
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        # what changes first (the whole study area before the areas), then what stays the same
        rows.sort(key=lambda r: (not _changes(r), r.get("area_key") != STUDY_AREA_KEY))
        columns = list(rows[0]) if rows else []
        shown = [c for c in TABLE_COLUMNS if c in columns] or columns
        self.table.setColumnCount(len(shown))
        self.table.setHorizontalHeaderLabels([tr(TABLE_HEADERS.get(c, c)) for c in shown])
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, column in enumerate(shown):
                value = row[column]
                item = QTableWidgetItem(_pretty(value))
                item.setData(Qt.ItemDataRole.UserRole, value)
                item.setToolTip(row.get("measure", ""))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def change_of(self, label: str, area_key: str = STUDY_AREA_KEY) -> float | None:
        """The change of one measure (by its label) in the table, as a number."""
        with open(self.out_dir / rf.CHANGES_CSV, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("label") == label and row.get("area_key") == area_key:
                    return float(row["change"]) if row["change"] not in ("", None) else None
        return None

    def council_layout(self):
        """Build the council layout of the last run and export it (PDF, PNG) next to it."""
        from geoplan.errors import GeoplanError

        from ..layout import build_council_layout, export_layout

        if self.out_dir is None or self.trial:  # no grid after the scenario: the button is off
            return None
        try:
            self.council = build_council_layout(self.out_dir, project=QgsProject.instance())
            files = export_layout(self.council.layout, self.out_dir / "council_layout.pdf",
                                  self.out_dir / "council_layout.png")
        except GeoplanError as err:
            self._fail(str(err))
            return None
        self.status.setText(tr("Council layout written: {files}").format(
            files=", ".join(str(f) for f in files)))
        if self.iface is not None and hasattr(self.iface, "openLayoutDesigner"):
            self.iface.openLayoutDesigner(self.council.layout)
        return self.council

    def _fail(self, message: str) -> None:
        self.status.setText(message)
        QgsMessageLog.logMessage(message, LOG_TAG, Qgis.MessageLevel.Warning)
        if self.iface is not None:
            try:
                self.iface.messageBar().pushMessage("geoplan", message,
                                                    Qgis.MessageLevel.Warning, 10)
            except (AttributeError, TypeError):
                pass

    # --- clean-up -----------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Cancel a run and forget the layers (the plugin calls this on unload)."""
        if self.task is not None:
            try:
                self.task.executed.disconnect(self._on_executed)
            except (TypeError, RuntimeError):
                pass
            self.task.cancel()
            self.task = None
        self.edit_layers.clear()
        self.result_layers = []
        self.council = None
        from ..algorithms.scenario import SESSION_BASELINES

        SESSION_BASELINES.clear()


def _polygon_filter():
    flags = getattr(Qgis, "LayerFilter", None)
    return flags.PolygonLayer if flags is not None else QgsMapLayerProxyModel.PolygonLayer


def _alive(layer) -> bool:
    try:
        return layer is not None and layer.isValid()
    except RuntimeError:  # deleted by the user (removed from the project)
        return False


def _pretty(value: str) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return value
    if x != x or abs(x) == float("inf"):
        return "–"
    return f"{x:.2f}" if abs(x) < 1000 else f"{x:,.0f}"


def _last_error(log: str) -> str:
    lines = [ln for ln in log.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else tr("see the log panel")


def _changes(row: dict) -> bool:
    """Whether a change-table row changes at the precision the panel shows (2 decimals)."""
    try:
        return round(abs(float(row.get("change", ""))), 2) > 0
    except (TypeError, ValueError):
        return False
