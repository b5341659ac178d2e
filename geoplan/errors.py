"""Errors that tell the user how to fix their input.

Every error geoplan raises on purpose is a :class:`GeoplanError` (a ``ValueError``). Its message
names the input at fault and says what to do; the CLI prints it without a traceback and exits
with code 2, the QGIS plugin turns it into a ``QgsProcessingException``.
"""

from __future__ import annotations

__all__ = [
    "AreaError",
    "Cancelled",
    "ConfigError",
    "CRSError",
    "GeoplanError",
    "InputFileError",
    "OSMDataError",
    "SavedBaselineError",
]


class GeoplanError(ValueError):
    """Base class: bad input or a request geoplan cannot answer; the message says how to fix it."""


class InputFileError(GeoplanError):
    """A file is missing, unreadable or not of the expected kind."""


class SavedBaselineError(InputFileError):
    """A saved scenario baseline cannot be used (missing, damaged, saved for another
    geoplan, settings or inputs, or by a Python whose libraries this one cannot read).

    ``reason`` says why in a word (``missing``, ``damaged``, ``format``, ``geoplan``,
    ``pipeline``, ``inputs``, ``run``, ``libraries``), so that a caller can say it in the
    planner's language
    (:func:`geoplan.runs.scenario.saved_baseline_reason`); the message says it in English.

    Examples
    --------
    >>> exc = SavedBaselineError("run.pkl was saved for another geoplan version", "geoplan")
    >>> exc.reason, isinstance(exc, InputFileError)
    ('geoplan', True)
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self):  # kept when pickled (e.g. between processes)
        return type(self), (str(self), self.reason)


class OSMDataError(InputFileError):
    """An OpenStreetMap extract is corrupt, empty or lacks what is needed."""


class CRSError(GeoplanError):
    """A coordinate reference system is missing, unknown or does not fit the coordinates."""


class AreaError(GeoplanError):
    """A study area is empty, invalid or outside the data."""


class ConfigError(GeoplanError):
    """A pipeline or option value is wrong; the message names the key."""


class Cancelled(Exception):  # noqa: N818 - reads better at the call site: `except Cancelled`
    """The user cancelled a long-running step (not an error in the input)."""
