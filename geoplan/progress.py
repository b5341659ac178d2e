"""Progress and cancellation protocol shared by the CLI, pipelines and the QGIS plugin.

Core functions take ``progress: Progress | None``. They call ``progress.report(fraction, message)``
with ``0 <= fraction <= 1`` and check ``progress.is_cancelled()`` between chunks of work through
:func:`check_cancelled`, which raises :class:`geoplan.errors.Cancelled`. The CLI implements the
protocol with a tqdm bar, the plugin with ``QgsProcessingFeedback``. :func:`scaled` maps a
sub-step onto a slice of its parent's range so nested steps share one bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .errors import Cancelled

__all__ = ["NullProgress", "Progress", "check_cancelled", "report", "scaled"]


@runtime_checkable
class Progress(Protocol):
    """Receives progress reports; may ask the work to stop."""

    def report(self, fraction: float, message: str = "") -> None: ...

    def is_cancelled(self) -> bool: ...


class NullProgress:
    """A progress sink that shows nothing and never cancels."""

    def report(self, fraction: float, message: str = "") -> None:
        return None

    def is_cancelled(self) -> bool:
        return False


@dataclass(frozen=True)
class _Scaled:
    parent: Progress
    start: float
    end: float

    def report(self, fraction: float, message: str = "") -> None:
        f = min(max(fraction, 0.0), 1.0)
        self.parent.report(self.start + (self.end - self.start) * f, message)

    def is_cancelled(self) -> bool:
        return self.parent.is_cancelled()


def scaled(progress: Progress | None, start: float, end: float) -> Progress:
    """Return a progress that maps ``[0, 1]`` onto ``[start, end]`` of ``progress``."""
    return _Scaled(progress or NullProgress(), start, end)


def report(progress: Progress | None, fraction: float, message: str = "") -> None:
    """Report to ``progress`` if given, then raise :class:`Cancelled` if it asks to stop."""
    if progress is not None:
        progress.report(fraction, message)
    check_cancelled(progress)


def check_cancelled(progress: Progress | None) -> None:
    """Raise :class:`geoplan.errors.Cancelled` if ``progress`` asks to stop."""
    if progress is not None and progress.is_cancelled():
        raise Cancelled("cancelled by the user")
