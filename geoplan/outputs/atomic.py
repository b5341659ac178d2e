"""Atomic writes: a file appears whole or not at all, and a previous version survives a crash.

Everything is written to a temporary name in the same folder and renamed into place with
:func:`os.replace` (atomic on POSIX and Windows within one file system).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text(d / "a.txt", "hello")
>>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
('hello', ['a.txt'])
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputFileError

__all__ = ["atomic_path", "ensure_writable_dir", "write_text"]


def ensure_writable_dir(path) -> Path:
    """Create ``path`` (and parents) if needed and check that geoplan may write there."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputFileError(
            f"cannot create output folder {str(p)!r} ({exc.strerror}): choose a folder you may write to"
        ) from exc
    if not p.is_dir():
        raise InputFileError(f"output path {str(p)!r} exists and is not a folder: choose another --out")
    if not os.access(p, os.W_OK):
        raise InputFileError(f"output folder {str(p)!r} is not writable: choose another --out")
    return p


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success rename it to ``final``, else remove it."""
    final = Path(final)
    ensure_writable_dir(final.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix or final.suffix or ".tmp",
                               dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers (GDAL) want to create the file themselves
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
