"""The QGIS plugin object: registers the geoplan Processing provider, or explains what is missing."""

from __future__ import annotations

import html

from qgis.core import Qgis, QgsApplication, QgsMessageLog

from . import deps
from .i18n import tr

__all__ = ["GeoplanPlugin"]

LOG_TAG = "geoplan"


class GeoplanPlugin:
    """Loaded by QGIS through ``classFactory(iface)``.

    ``initProcessing`` (called by QGIS for ``hasProcessingProvider=yes`` plugins, also by
    ``qgis_process``) and ``initGui`` register the provider once. When geoplan or one of its
    libraries cannot be imported in QGIS's Python nothing is registered and one message names the
    missing modules and the command that fixes it. ``unload`` removes everything it added.
    """

    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None
        self.deps_report: deps.DepsReport | None = None
        self._message_item = None

    # --- QGIS plugin API ----------------------------------------------------------------------
    def initProcessing(self) -> None:  # noqa: N802 - QGIS API
        if self.provider is not None or self.deps_report is not None:
            return  # QGIS may call both initProcessing and initGui
        self.deps_report = deps.check()
        if not self.deps_report.ok:
            self._show_missing_dependencies(self.deps_report)
            return
        from .provider import GeoplanProvider

        provider = GeoplanProvider()
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider

    def initGui(self) -> None:  # noqa: N802
        self.initProcessing()

    def unload(self) -> None:
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
        headline = report.message(compact=True).splitlines()[0]
        item = bar.createMessage(title, html.escape(headline))
        button = QPushButton(tr("Show how to fix it"), item)
        button.clicked.connect(lambda: self.fix_dialog().exec())
        item.layout().addWidget(button)
        self._message_item = bar.pushWidget(item, Qgis.MessageLevel.Critical, 0)

    def fix_dialog(self):
        """A dialog with the whole report; its commands can be selected and copied."""
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtWidgets import QMessageBox

        parent = self.iface.mainWindow() if self.iface is not None else None
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(tr("geoplan: missing Python modules"))
        box.setText(self.deps_report.message() if self.deps_report else "")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        return box
