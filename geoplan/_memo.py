"""One value per object and key, made once and kept while the object lives.

The one memo of geoplan for values derived from a large object that several steps ask for
again: a network's STRtree (every scenario edits the same baseline network), a grid's union and
cell lattice (every map of a report draws the same grid), a map's context image. The value is
dropped with its object: the object is held through a weak reference (keyed by ``id``, so
objects that cannot be hashed, such as a GeoDataFrame, can own values) and a finalizer removes
its values when it is collected, so an object later born at the same address never sees them.

Thread-safe (the QGIS panel computes in background tasks while a report may draw maps): the
table is read and written under a lock; ``make`` runs outside it (it may be slow, and may ask
for other memoised values). Two threads asking for the same missing value at once may both
make it; both get the value stored first, so a memoised value is always one object.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["kept", "once_per"]

T = TypeVar("T")

_LOCK = threading.RLock()  # re-entrant: a finalizer may run (GC) while this thread holds it
#: id(owner) -> (weak reference to owner, {key: value})
_KEPT: dict[int, tuple[weakref.ref, dict]] = {}


def once_per(owner: object, key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, made once per ``owner`` and ``key`` and kept while ``owner`` lives.

    Parameters
    ----------
    owner
        Any object that takes a weak reference (a dataclass, a GeoDataFrame, a Baseline).
    key
        Which of the owner's values (several values per owner).
    make
        Makes the value; called at most once per owner and key (in one thread; see the
        module doc for two threads at once). Never let the value refer to ``owner``: it would
        keep the owner alive.

    Returns
    -------
    The value.

    Examples
    --------
    >>> class Run: pass
    >>> run, calls = Run(), []
    >>> [once_per(run, "k", lambda: calls.append(1) or len(calls)) for _ in range(2)]
    [1, 1]
    >>> once_per(run, "other", lambda: "x"), len(calls)
    ('x', 1)
    >>> del run  # its values go with it
    """
    oid = id(owner)
    with _LOCK:
        entry = _KEPT.get(oid)
        if entry is not None and entry[0]() is owner and key in entry[1]:
            return entry[1][key]
    value = make()
    with _LOCK:
        entry = _KEPT.get(oid)
        if entry is None or entry[0]() is not owner:
            entry = (weakref.ref(owner), {})
            _KEPT[oid] = entry
            weakref.finalize(owner, _forget, oid, entry[0])
        return entry[1].setdefault(key, value)


def kept(owner: object, key: Hashable, default=None):
    """The value :func:`once_per` keeps for ``owner`` and ``key``, or ``default`` when none
    was made yet (nothing is made).

    Examples
    --------
    >>> class Run: pass
    >>> run = Run()
    >>> kept(run, "k") is None, once_per(run, "k", lambda: 3), kept(run, "k")
    (True, 3, 3)
    """
    with _LOCK:
        entry = _KEPT.get(id(owner))
        if entry is not None and entry[0]() is owner:
            return entry[1].get(key, default)
    return default


def _forget(oid: int, ref: weakref.ref) -> None:
    """Drop the values of the collected owner that ``ref`` referred to (not those of a later
    owner at the same address)."""
    with _LOCK:
        entry = _KEPT.get(oid)
        if entry is not None and entry[0] is ref:
            del _KEPT[oid]


def kept_owners() -> int:
    """How many owners have values kept (for tests: values go with their owners).

    >>> import gc
    >>> class Grid: pass
    >>> before = kept_owners()
    >>> g = Grid(); _ = once_per(g, "union", lambda: 1)
    >>> kept_owners() - before
    1
    >>> del g; _ = gc.collect()
    >>> kept_owners() - before
    0
    """
    with _LOCK:
        return len(_KEPT)
