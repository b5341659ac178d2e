"""The QGIS plugin object: registers the geoplan Processing provider, adds the scenario panel and
the council-layout action (desktop only), or explains what is missing."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsMessageLog

from . import deps
from .i18n import install_translator, tr

__all__ = ["GeoplanPlugin"]

LOG_TAG = "geoplan"


class GeoplanPlugin:
    """Loaded by QGIS through ``classFactory(iface)``.

    ``initProcessing`` (called by QGIS for ``hasProcessingProvider=yes`` plugins, also by
    ``qgis_process``) and ``initGui`` register the provider once. ``initGui`` also adds the
    scenario panel (a dock, hidden until its action is checked) and two actions in the
    *Plugins › geoplan* menu and the plugins toolbar: *Scenario panel* and *Council layout…*.
    When geoplan or one of its libraries cannot be imported in QGIS's Python nothing is
    registered and one message names the missing modules and the command that fixes it.
    ``unload`` removes everything it added.
    """

    MENU = "&geoplan"

    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None
        self.deps_report: deps.DepsReport | None = None
        self._message_item = None
        self.dock = None
        self.actions: list = []
        self.council = None
        # Qt's translation of the plugin's texts in QGIS's language (i18n/geoplan_<lang>.qm)
        self.translator = install_translator()

    # --- QGIS plugin API ----------------------------------------------------------------------
    def initProcessing(self) -> None:  # noqa: N802 - QGIS API
        if self.provider is not None or self.deps_report is not None:
            return  # QGIS may call both initProcessing and initGui
        self.deps_report = deps.check()
        if not self.deps_report.ok:
            self._show_missing_dependencies(self.deps_report)
            return
        try:
            from .provider import GeoplanProvider
        except ImportError as exc:  # geoplan imports but a part of it does not: say so
            self.deps_report = dataclasses.replace(
                self.deps_report, import_error=f"{type(exc).__name__}: {exc}"
            )
            self._show_missing_dependencies(self.deps_report)
            return
        provider = GeoplanProvider()
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider

    def initGui(self) -> None:  # noqa: N802
        self.initProcessing()
        if self.provider is None or self.iface is None or self.dock is not None:
            return
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtGui import QIcon
        from qgis.PyQt.QtWidgets import QAction

        from .panel import ScenarioDock

        main = self.iface.mainWindow()
        self.dock = ScenarioDock(self.iface, main)
        self.dock.hide()
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        icons = Path(__file__).resolve().parent / "icons"
        panel = QAction(QIcon(str(icons / "scenario.svg")), tr("Scenario panel"), main)
        panel.setObjectName("geoplan_scenario_panel")
        panel.setCheckable(True)
        panel.toggled.connect(self.dock.setVisible)
        self.dock.visibilityChanged.connect(panel.setChecked)
        layout = QAction(QIcon(str(icons / "layout.svg")), tr("Council layout…"), main)
        layout.setObjectName("geoplan_council_layout")
        layout.triggered.connect(self.council_layout_dialog)
        for action in (panel, layout):
            self.iface.addPluginToMenu(self.MENU, action)
            self.iface.addToolBarIcon(action)
            self.actions.append(action)

    def council_layout_dialog(self):
        """Ask for a run's output folder, build its council layout, export it and open it."""
        from qgis.PyQt.QtWidgets import QFileDialog

        from geoplan.errors import GeoplanError

        from .layout import build_council_layout, export_layout

        main = self.iface.mainWindow() if self.iface is not None else None
        folder = QFileDialog.getExistingDirectory(main, tr("Output folder of a geoplan run"))
        if not folder:
            return None
        try:
            self.council = build_council_layout(folder)
            files = export_layout(self.council.layout, Path(folder) / "council_layout.pdf",
                                  Path(folder) / "council_layout.png")
        except GeoplanError as err:
            self.iface.messageBar().pushMessage("geoplan", str(err), Qgis.MessageLevel.Warning)
            return None
        self.iface.messageBar().pushMessage(
            "geoplan", tr("Council layout written: {files}").format(
                files=", ".join(str(f) for f in files)), Qgis.MessageLevel.Success, 10)
        self.iface.openLayoutDesigner(self.council.layout)
        return self.council

    def unload(self) -> None:
        for action in self.actions:
            if self.iface is not None:
                self.iface.removePluginMenu(self.MENU, action)
                self.iface.removeToolBarIcon(action)
            action.setParent(None)
            action.deleteLater()
        self.actions = []
        if self.dock is not None:
            self.dock.cleanup()
            if self.iface is not None:
                self.iface.removeDockWidget(self.dock)
            self.dock.setParent(None)
            self.dock.deleteLater()
            self.dock = None
        self.council = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self._message_item is not None and self.iface is not None:
            bar = self.iface.messageBar()
            try:
                if self._message_item in bar.items():
                    bar.popWidget(self._message_item)
            except RuntimeError:  # the user closed it already and Qt deleted it
                pass
        self._message_item = None
        self.deps_report = None
        if self.translator is not None:
            from qgis.PyQt.QtCore import QCoreApplication

            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

    # --- helpers -----------------------------------------------------------------------------
    def _show_missing_dependencies(self, report: deps.DepsReport) -> None:
        """The full report in the log panel; on the message bar (until closed) the missing
        modules and a button that shows the commands that fix it."""
        title = tr("geoplan: missing Python modules")
        QgsMessageLog.logMessage(report.message(), LOG_TAG, Qgis.MessageLevel.Critical)
        if self.iface is None:
            return
        from qgis.PyQt.QtWidgets import QPushButton

        bar = self.iface.messageBar()
        item = bar.createMessage(title, html.escape(report.headline()))
        if report.repo is None and report.problems:  # installed from a zip: offer to install
            install = QPushButton(tr("Install missing modules"), item)
            install.clicked.connect(lambda: self.install_dependencies())
            item.layout().addWidget(install)
        button = QPushButton(tr("Show how to fix it"), item)
        button.clicked.connect(lambda: self.fix_dialog().exec())
        item.layout().addWidget(button)
        self._message_item = bar.pushWidget(item, Qgis.MessageLevel.Critical, 0)

    def install_dependencies(self, ask: bool = True, **pip_source) -> bool:
        """The dependency step: plan with pip (what QGIS ships is pinned), ask, install into
        the plugin's own folder with a cancellable progress dialog, then load the provider.
        ``pip_source`` (``find_links``, ``no_index``) is for offline wheel folders."""
        from qgis.PyQt.QtCore import QCoreApplication, Qt
        from qgis.PyQt.QtWidgets import QMessageBox, QProgressDialog

        from . import installer

        report = self.deps_report or deps.check()
        parent = self.iface.mainWindow() if self.iface is not None else None
        target = installer.default_target()
        QgsMessageLog.logMessage(f"planning: {report.install_requirements()}", LOG_TAG,
                                 Qgis.MessageLevel.Info)
        plan = installer.plan(report.install_requirements(), target=target, **pip_source)
        if not plan.ok:
            QgsMessageLog.logMessage(plan.message(), LOG_TAG, Qgis.MessageLevel.Critical)
            QMessageBox.critical(parent, tr("geoplan: missing Python modules"),
                                 plan.message() + "\n\n" + report.message())
            return False
        if ask:
            text = tr("Install these Python modules into {target} with QGIS's own Python? "
                      "Nothing QGIS ships is replaced.").format(target=target)
            answer = QMessageBox.question(parent, tr("geoplan: missing Python modules"),
                                          text + "\n\n" + "\n".join(plan.install))
            if answer != QMessageBox.StandardButton.Yes:
                return False
        dialog = QProgressDialog(tr("Installing Python modules for geoplan…"), tr("Cancel"), 0,
                                 100, parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)

        def progress(fraction: float, line: str) -> None:
            dialog.setValue(int(fraction * 100))
            if line:
                dialog.setLabelText(line[:120])
            QCoreApplication.processEvents()

        def cancelled() -> bool:
            QCoreApplication.processEvents()
            return dialog.wasCanceled()

        result = installer.install(plan, target=target, progress=progress, cancelled=cancelled,
                                   **pip_source)
        dialog.close()
        level = Qgis.MessageLevel.Success if result.ok else Qgis.MessageLevel.Critical
        QgsMessageLog.logMessage(result.message + "\n" + result.log, LOG_TAG, level)
        if not result.ok:
            if not result.cancelled:
                QMessageBox.critical(parent, tr("geoplan: missing Python modules"),
                                     result.message)
            return False
        # start again with the new modules
        self.unload()
        self.initGui() if self.iface is not None else self.initProcessing()
        return self.provider is not None

    def fix_dialog(self):
        """A dialog with the whole report; the commands can be selected and copied."""
        from qgis.PyQt.QtGui import QFontDatabase
        from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout

        parent = self.iface.mainWindow() if self.iface is not None else None
        dialog = QDialog(parent)
        dialog.setWindowTitle(tr("geoplan: missing Python modules"))
        text = QPlainTextEdit(dialog)
        text.setReadOnly(True)
        text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # soft wrap: copied commands stay whole
        text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        text.setPlainText(self.deps_report.message() if self.deps_report else "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(900, 420)
        return dialog
