"""The QGIS plugin object: registers the geoplan Processing provider, or explains what is missing."""

from __future__ import annotations

import dataclasses
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
        item = bar.createMessage(title, html.escape(report.headline()))
        button = QPushButton(tr("Show how to fix it"), item)
        button.clicked.connect(lambda: self.fix_dialog().exec())
        item.layout().addWidget(button)
        self._message_item = bar.pushWidget(item, Qgis.MessageLevel.Critical, 0)

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
