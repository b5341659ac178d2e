"""Atomic writes: a file appears whole or not at all, and a previous version survives a crash.

Single files
    :func:`atomic_path` / :func:`write_text` write to a temporary name in the same folder and
    rename it into place with :func:`os.replace` (atomic on POSIX and Windows within one file
    system). A failed write removes its temporary file (and GDAL side files such as
    ``-journal`` or ``.aux.xml``).
Whole output folders
    :func:`staged_folder` gives a staging folder inside the output folder; every file of a run
    is written there, and only when all of them are complete are they moved into the output
    folder (a *commit*: a ``COMMIT`` list is written into the staging folder, then each file is
    renamed into place, then the staging folder is removed). A run that fails or is killed
    before the commit leaves the previous output untouched; a run killed *during* the commit
    (a few renames) is finished by the next run that writes there (the ``COMMIT`` list says
    which files belong to the new set), so the folder never stays a mix of two runs.

Temporary names
    Everything temporary is named ``.geoplan-tmp-<pid>@<host>-<random>-<final name>`` (files) or
    ``.geoplan-tmp-<pid>@<host>-<random>.d`` (staging folders): hidden, recognisable
    (:func:`is_temp_name`) and with its owner. A process killed with SIGKILL (or a power cut)
    cannot remove its own temporary files, so **the next geoplan write into the same folder
    cleans them up** (:func:`clean_stale_temps`): entries whose process is no longer running on
    this machine, or, for other machines (a shared network folder), older than
    :data:`STALE_AFTER_S`. Entries of a process that is still running are left alone, so two
    runs into the same folder do not break each other. Readers (and QGIS users) can ignore
    every name starting with :data:`TEMP_PREFIX`.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text(d / "a.txt", "hello")
>>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
('hello', ['a.txt'])
>>> with staged_folder(d / "out") as stage:
...     write_text(stage / "b.txt", "new")
>>> sorted(p.name for p in (d / "out").iterdir())
['b.txt']
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import InputFileError

__all__ = [
    "STALE_AFTER_S",
    "TEMP_PREFIX",
    "atomic_path",
    "fsync_file",
    "check_not_inputs",
    "check_writable_dir",
    "clean_stale_temps",
    "ensure_writable_dir",
    "is_temp_name",
    "staged_folder",
    "write_text",
]

#: Every temporary file or folder geoplan creates starts with this.
TEMP_PREFIX = ".geoplan-tmp-"
#: Temporary entries made on another machine are removed when older than this (seconds).
STALE_AFTER_S = 24 * 3600.0
_COMMIT = "COMMIT"
_TEMP_RE = re.compile(r"^\.geoplan-tmp-(?P<pid>\d+)@(?P<host>[0-9a-f]{8})-[0-9a-f]+(?:-|\.d$)")


def _host_tag() -> str:
    import hashlib

    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


_HOST = _host_tag()


def _temp_name(final_name: str = "", folder: bool = False) -> str:
    base = f"{TEMP_PREFIX}{os.getpid()}@{_HOST}-{secrets.token_hex(4)}"
    return base + ".d" if folder else f"{base}-{final_name}"


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of geoplan's temporary files or staging folders.

    >>> is_temp_name(".geoplan-tmp-123@0a1b2c3d-9f8e7d6c-geoplan.gpkg"), is_temp_name("grid.tif")
    (True, False)
    """
    return name.startswith(TEMP_PREFIX)


def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        try:
            import psutil

            return bool(psutil.pid_exists(pid))
        except ImportError:  # pragma: no cover - psutil comes with geoplan's dependencies
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, it is someone else's
        return True
    return True


def _is_stale(entry: Path, now: float) -> bool:
    m = _TEMP_RE.match(entry.name)
    try:
        age = now - entry.lstat().st_mtime
    except OSError:
        return False
    if m is None:  # our prefix but not our pattern: only by age
        return age > STALE_AFTER_S
    if m["host"] != _HOST:
        return age > STALE_AFTER_S
    return not _pid_running(int(m["pid"]))


def _remove(entry: Path) -> None:
    try:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink()
    except FileNotFoundError:
        pass


def _finish_commit(stage: Path, out: Path) -> None:
    """Move the files a staging folder's COMMIT list names into ``out`` (roll forward)."""
    names = (stage / _COMMIT).read_text(encoding="utf-8").splitlines()
    replaced = []
    for name in names:  # renames only (no data written here): the window is microseconds
        src, dst = stage / name, out / name
        if not name or not src.exists():
            continue
        if src.is_dir() and dst.is_dir() and not dst.is_symlink():
            # a folder (e.g. report/) cannot replace a non-empty folder in one step: move the old
            # one aside under a temporary name first (removed after the last rename, or by the
            # next run)
            old = out / _temp_name(f"old-{name}")
            os.replace(dst, old)
            replaced.append(old)
        os.replace(src, dst)
    for old in replaced:
        _remove(old)


def clean_stale_temps(folder) -> list[str]:
    """Remove temporary files and staging folders left in ``folder`` by killed geoplan runs.

    A staging folder whose run was killed while committing (it holds a ``COMMIT`` list) is
    first finished: its remaining files are moved into ``folder``. Entries of processes that
    are still running are left alone. Returns the names that were removed.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".geoplan-tmp-999999999@00000000-ab-x.gpkg").write_text("half")
    >>> import os, time; os.utime(d / ".geoplan-tmp-999999999@00000000-ab-x.gpkg", (0, 0))
    >>> clean_stale_temps(d), list(d.iterdir())
    (['.geoplan-tmp-999999999@00000000-ab-x.gpkg'], [])
    """
    folder = Path(folder)
    removed: list[str] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not is_temp_name(entry.name) or not _is_stale(entry, now):
            continue
        if entry.is_dir() and (entry / _COMMIT).is_file():
            with contextlib.suppress(OSError):
                _finish_commit(entry, folder)
        _remove(entry)
        removed.append(entry.name)
    return removed


def _first_existing(p: Path) -> Path:
    p = Path(os.path.abspath(p))
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (also through links and different spellings)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_not_inputs(outputs, inputs) -> None:
    """Refuse to write any of ``outputs`` when it is one of ``inputs`` (geoplan never overwrites
    what it reads). Raise :class:`InputFileError` naming both and what to do.

    ``outputs`` and ``inputs`` are paths (``None`` entries are skipped). An output folder counts
    as every file in it: pass the files a run writes there, not only the folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "walk.csv").write_text("x,y")
    >>> check_not_inputs([d / "walk.gpkg"], [d / "walk.csv"])
    >>> check_not_inputs([d / "." / "walk.csv"], [d / "walk.csv"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoplan.errors.InputFileError: the output '...walk.csv' is the input '...walk.csv': geoplan never overwrites its inputs; choose another output name or folder
    """
    ins = [Path(i) for i in inputs if i is not None]
    for out in (Path(o) for o in outputs if o is not None):
        for given in ins:
            if _same_file(out, given):
                raise InputFileError(
                    f"the output {str(out)!r} is the input {str(given)!r}: geoplan never "
                    "overwrites its inputs; choose another output name or folder"
                )


def check_writable_dir(path) -> Path:
    """Check, without creating anything that stays, that ``path`` is (or can become) a folder
    geoplan may write to. Raise :class:`InputFileError` saying what to choose instead.

    Used before a long run so that a bad ``--out`` fails at once and leaves nothing behind.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputFileError(
            f"output path {str(p)!r} exists and is not a folder: choose another --out"
        )
    base = _first_existing(p)
    if not base.is_dir():
        raise InputFileError(
            f"cannot create output folder {str(p)!r}: {str(base)!r} is a file, not a folder; "
            "choose an output folder you may write to"
        )
    probe = base / _temp_name(folder=True)
    try:
        probe.mkdir()
    except OSError as exc:
        what = "is not writable" if base == p else f"cannot be created in {str(base)!r}"
        raise InputFileError(
            f"output folder {str(p)!r} {what} ({exc.strerror or exc}): choose a folder you may "
            "write to"
        ) from None
    with contextlib.suppress(OSError):
        probe.rmdir()
    return p


def ensure_writable_dir(path) -> Path:
    """Create ``path`` (and parents) if needed and check that geoplan may write there."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputFileError(
            f"output path {str(p)!r} exists and is not a folder: choose another --out"
        ) from None
    except OSError as exc:
        hint = ""
        if exc.errno == errno.ENOTDIR:
            hint = f" ({str(_first_existing(p))!r} is a file, not a folder)"
        raise InputFileError(
            f"cannot create output folder {str(p)!r} ({exc.strerror}){hint}: choose a folder you "
            "may write to"
        ) from None
    if not p.is_dir():
        raise InputFileError(f"output path {str(p)!r} exists and is not a folder: choose another --out")
    if not os.access(p, os.W_OK):
        raise InputFileError(f"output folder {str(p)!r} is not writable: choose another --out")
    return p


def _remove_with_sidecars(tmp: Path) -> None:
    """Remove ``tmp`` and what GDAL/SQLite may have put beside it (-journal, -wal, .aux.xml)."""
    with contextlib.suppress(OSError):
        for side in tmp.parent.glob(glob_escape(tmp.name) + "*"):
            _remove(side)


def glob_escape(name: str) -> str:
    """``name`` with glob metacharacters escaped."""
    return re.sub(r"([*?\[])", r"[\1]", name)


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success rename it to ``final``, else remove it.

    The temporary name ends with ``final``'s name (so GDAL sees the right extension; ``suffix``
    is appended when the name does not already end with it) and starts with
    :data:`TEMP_PREFIX`. Stale temporary files of killed runs in the folder are removed first.
    """
    final = Path(final)
    ensure_writable_dir(final.parent)
    clean_stale_temps(final.parent)
    name = _temp_name(final.name)
    if suffix and not name.endswith(suffix):
        name += suffix
    tmp_path = final.parent / name
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        _remove_with_sidecars(tmp_path)


def fsync_file(path: Path) -> None:
    """Flush the file at ``path`` to disk (``OSError`` when it cannot be)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fsync_file(path)


@contextlib.contextmanager
def staged_folder(out: str | os.PathLike, *, last: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield an empty staging folder inside ``out``; on success move its files into ``out``.

    Write every file (or sub-folder, e.g. ``report/``) of one result into the yielded folder
    with its final name. If the block
    raises, or the process dies, ``out`` keeps its previous files unchanged. See the module doc
    for the commit and for how the next run cleans up after a killed one. Files in ``out`` that
    the new result does not contain are left as they are. Names in ``last`` are moved into
    place after all others (e.g. the run's provenance, the mark of a complete set).
    """
    out = ensure_writable_dir(out)
    clean_stale_temps(out)
    stage = out / _temp_name(folder=True)
    stage.mkdir()
    try:
        yield stage
        names = sorted((p.name for p in stage.iterdir() if not is_temp_name(p.name)
                        and p.name != _COMMIT), key=lambda n: (n in last, n))
        for n in names:
            for f in [stage / n] if (stage / n).is_file() else (stage / n).rglob("*"):
                if f.is_file():
                    _fsync(f)
        listing = stage / (_COMMIT + ".part")
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        _fsync(listing)
        os.replace(listing, stage / _COMMIT)  # from here on the new set is the result
        _finish_commit(stage, out)
    finally:
        _remove(stage)


def write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
