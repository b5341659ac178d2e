"""What every ``geoplan`` sub-command shares: the progress bar, options, and error → exit code.

The sub-command modules (:mod:`~geoplan.cli.report`, :mod:`~geoplan.cli.scenario`,
:mod:`~geoplan.cli.findings`, :mod:`~geoplan.cli.many`) import from here, never from
:mod:`geoplan.cli.main`, which only builds the group and registers them.

Examples
--------
>>> import click
>>> @click.command()
... def fails():
...     from geoplan.errors import ConfigError
...     raise ConfigError("give a grid cell size in metres")
>>> run_group(fails, [])  # prints "geoplan: error: give a grid cell size in metres" on stderr
2
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import warnings

import click

from ..errors import Cancelled, GeoplanError
from ..i18n import LANGUAGES

__all__ = ["OSM_CREDIT", "PROGRAM_GC_THRESHOLD", "TqdmProgress", "area_arg", "end_process",
           "lang_option", "nothing_left_to_close", "program_gc", "run_group", "with_bar"]

#: The attribution line every command that wrote OSM-derived files prints last.
OSM_CREDIT = "Map data © OpenStreetMap contributors (ODbL)."


class TqdmProgress:
    """geoplan's progress protocol on a tqdm bar (stderr; hidden when stderr is not a terminal)."""

    def __init__(self, desc: str = "geoplan") -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=1000, desc=desc, unit="‰", file=sys.stderr, disable=None,
                         bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}")
        self._last = 0

    def report(self, fraction: float, message: str = "") -> None:
        n = int(round(1000 * min(max(fraction, 0.0), 1.0)))
        if n > self._last:
            self._bar.update(n - self._last)
            self._last = n
        if message:
            self._bar.set_description_str(message[:60], refresh=False)

    def is_cancelled(self) -> bool:
        return False  # Ctrl+C raises KeyboardInterrupt, handled in run_group()

    def close(self) -> None:
        self._bar.close()


#: Set by a command whose files are written, synced and closed when it returns, with no
#: thread, child process or temporary file left for Python's shutdown (:func:`end_process`).
_NOTHING_LEFT = {"to_close": False}


def nothing_left_to_close() -> None:
    """Say that the running command has closed everything it opened (files written and synced,
    no thread, child process or temporary file left): :func:`end_process` may then end the
    ``geoplan`` program without Python's shutdown, which would only free the command's objects
    one by one (~0.15 CPU seconds after a scenario on the demo)."""
    _NOTHING_LEFT["to_close"] = True


def end_process(code: int) -> int:
    """End the ``geoplan`` program with ``code`` at once (output flushed) when the command said
    :func:`nothing_left_to_close`; otherwise return ``code`` for the usual exit."""
    if _NOTHING_LEFT["to_close"]:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


#: Allocations between two young-generation collections of Python's cyclic garbage collector
#: while the ``geoplan`` program runs (Python's default is 700). A command makes a few million
#: objects, nearly all of them freed by reference counting or kept to the end (modules, the
#: saved baseline's frames); collecting every 700 allocations only walked them again and
#: again: ~0.07 CPU seconds of a scenario on the demo (~5 %). Garbage in reference cycles is
#: still collected, every 20,000 allocations instead of every 700.
PROGRAM_GC_THRESHOLD = 20_000


@contextlib.contextmanager
def program_gc():
    """Inside the block, Python's cyclic garbage collector runs its young generation every
    :data:`PROGRAM_GC_THRESHOLD` allocations (the older generations as before); the previous
    thresholds are restored after it. For the ``geoplan`` program's process, not for a library
    caller's.

    >>> import gc
    >>> before = gc.get_threshold()
    >>> with program_gc():
    ...     gc.get_threshold()[0]
    20000
    >>> gc.get_threshold() == before
    True
    """
    import gc

    before = gc.get_threshold()
    gc.set_threshold(PROGRAM_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def with_bar(label: str, job, *args, **kwargs):
    """Call ``job(*args, progress=bar, **kwargs)`` with a :class:`TqdmProgress` named ``label``
    (``progress=None`` when stderr is not a terminal: tqdm would hide the bar there, and its
    import is then saved)."""
    if not sys.stderr.isatty():
        return job(*args, progress=None, **kwargs)
    bar = TqdmProgress(label)
    try:
        return job(*args, progress=bar, **kwargs)
    finally:
        bar.close()


def lang_option(help: str | None = None, *, default: str | None = "en"):
    """The ``--lang sv|da|en`` option (``default=None``: no default, e.g. to override a config)."""
    return click.option("--lang", type=click.Choice(LANGUAGES), default=default,
                        show_default=default is not None, help=help)


def area_arg(area: str | None, bbox: str | None):
    """The study area of ``--area FILE`` or ``--bbox minlon,minlat,maxlon,maxlat`` (not both)."""
    from ..sources.area import parse_bbox

    if area and bbox:
        raise click.UsageError("give either --area or --bbox, not both")
    return parse_bbox(bbox) if bbox else area


def run_group(group: click.Command, argv: list[str] | None = None) -> int:
    """Run ``group`` and turn what it raises into a message on stderr and an exit code.

    Bad input (:class:`~geoplan.errors.GeoplanError`, click usage errors) → 2; cancelled → 130;
    anything else is a bug → 1 with a short note (the full trace with ``--debug`` or
    ``GEOPLAN_DEBUG``).
    """
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    _NOTHING_LEFT["to_close"] = False  # said anew by each command
    # GEOS sets a floating-point "invalid" flag inside some valid intersections (the
    # central-Helsinki coastline and paths): numpy's RuntimeWarning about it says nothing to a
    # planner and used to be the only text on stderr of a clean run
    warnings.filterwarnings("ignore", message="invalid value encountered in intersection",
                            category=RuntimeWarning)
    with _debug_env(debug):
        return _run_group(group, argv, debug)


@contextlib.contextmanager
def _debug_env(debug: bool):
    """``--debug`` sets ``GEOPLAN_DEBUG`` while the command runs (so that what runs below, e.g.
    ``many``'s Dask workers, keeps its output too); the environment is restored after."""
    if not debug or os.environ.get("GEOPLAN_DEBUG"):
        yield
        return
    os.environ["GEOPLAN_DEBUG"] = "1"
    try:
        yield
    finally:
        os.environ.pop("GEOPLAN_DEBUG", None)


def _run_group(group: click.Command, argv: list[str] | None, debug: bool) -> int:
    try:
        group.main(args=argv, prog_name="geoplan", standalone_mode=False)
    except GeoplanError as exc:
        click.echo(f"geoplan: error: {exc}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("geoplan: cancelled", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except (Cancelled, KeyboardInterrupt):
        click.echo("geoplan: cancelled", err=True)
        return 130
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            return _internal_error(exc, debug)
        where = f" writing {exc.filename}" if exc.filename else ""
        click.echo(f"geoplan: error: the disk is full{where}: free some space or choose an "
                   "output folder on another disk (the previous results are unchanged)", err=True)
        return 2
    except Exception as exc:  # a bug, not bad input: say so briefly, full trace with --debug
        return _internal_error(exc, debug)
    return 0


def _internal_error(exc: Exception, debug: bool) -> int:
    if debug or os.environ.get("GEOPLAN_DEBUG"):
        raise exc
    click.echo(
        f"geoplan: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in geoplan, not in your input. Rerun with --debug and report the output.",
        err=True,
    )
    return 1
