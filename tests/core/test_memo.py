"""The one memo (:func:`geoplan._memo.once_per`) behind the scenario edits' per-network indexes
and the maps' per-grid and per-run images: one value per owner and key, the same object for
every caller (also from several threads at once, as the QGIS panel's background tasks and a
report may ask), dropped with its owner.

Oracles: object identity, the number of ``make`` calls counted here, and the memo's own count of
owners after the garbage collector ran."""

from __future__ import annotations

import gc
import threading

import geopandas as gpd
import numpy as np
import shapely

from geoplan._memo import kept_owners, once_per


class _Owner:
    pass


def test_one_value_per_owner_and_key_made_once():
    a, b, calls = _Owner(), _Owner(), []

    def make(tag):
        calls.append(tag)
        return [tag]

    va = once_per(a, "k", lambda: make("a"))
    assert once_per(a, "k", lambda: make("again")) is va
    assert once_per(b, "k", lambda: make("b")) == ["b"]
    assert once_per(a, ("other", 1), lambda: make("a2")) == ["a2"]
    assert calls == ["a", "b", "a2"]


def test_values_go_with_their_owner():
    gc.collect()
    before = kept_owners()
    owners = [_Owner() for _ in range(20)]
    for o in owners:
        once_per(o, "k", lambda: np.zeros(10))
        once_per(o, "j", lambda: 1)
    assert kept_owners() == before + 20
    del owners, o
    gc.collect()
    assert kept_owners() == before
    # a new owner (possibly at a freed address) never sees a dead owner's value
    fresh = [_Owner() for _ in range(20)]
    assert all(once_per(f, "k", lambda: "new") == "new" for f in fresh)


def test_an_owner_that_cannot_be_hashed_owns_values():
    g = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)])
    assert once_per(g, "union", lambda: g.geometry.union_all()) is once_per(g, "union", list)


def test_threads_asking_at_once_all_get_the_one_value():
    owner, n = _Owner(), 8
    start = threading.Barrier(n)
    got: list = [None] * n

    def ask(i: int) -> None:
        start.wait()
        got[i] = once_per(owner, "value", lambda: object())

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(v) for v in got}) == 1 and got[0] is once_per(owner, "value", object)


def test_the_edits_and_the_maps_share_the_one_memo(synth_3000_baseline):
    # the scenario edits' STRtree of a network and the maps' union of a grid are kept by the
    # same memo: both go with their owner
    from geoplan.outputs.map_images import study_union
    from geoplan.scenario.edits import _tree_of

    net = synth_3000_baseline.inputs.network
    geoms = np.asarray(net.edges.geometry.values)
    assert _tree_of(net, geoms) is _tree_of(net, geoms)
    gc.collect()
    before = kept_owners()
    grid = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    assert study_union(grid) is study_union(grid)
    assert kept_owners() == before + 1
    del grid
    gc.collect()
    assert kept_owners() == before
