"""The distance tiles reduce their blocks with BLAS on one thread, and leave BLAS as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

from geoplan.routing import (
    DistanceKernel,
    _one_blas_thread,
    _reduce_pairs,
    build_routing_graph,
    count_within,
    example_network,
)


def _blas_threads() -> list[int]:
    """Threads of numpy's own BLAS (the one the tile loops' products use; scipy may load
    another later, which the limit need not cover)."""
    numpy_dir = Path(np.__file__).parent.parent
    return [i["num_threads"] for i in threadpool_info()
            if i["user_api"] == "blas" and Path(i["filepath"]).is_relative_to(numpy_dir)
            and "numpy" in Path(i["filepath"]).parts[-2]]


def test_one_blas_thread_limits_blas_and_restores_it():
    before = _blas_threads()
    assert before, "numpy's BLAS is not visible to threadpoolctl"
    with _one_blas_thread():
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before


def test_tile_loop_reduces_on_one_blas_thread_with_the_same_answer():
    g = build_routing_graph(example_network())
    seen = []
    kernel = DistanceKernel((100.0, 200.0))

    def recording(dist: np.ndarray) -> list[np.ndarray]:
        seen.append(_blas_threads())
        return kernel(dist)

    before = _blas_threads()
    out = _reduce_pairs(g, [0, 1, 2, 3], [1, 2, 3], [1.0, 2.0, 4.0], 200.0, recording, 2,
                        None, None)
    assert seen and all(threads == [1] * len(before) for threads in seen)
    assert _blas_threads() == before
    # the same sums as count_within, whose docstring's numbers are read off the example graph
    assert out.tolist() == count_within(g, [0, 1, 2, 3], [1, 2, 3], [100, 200],
                                        weights=[1, 2, 4]).tolist()
    assert out[:2].tolist() == [[1.0, 7.0], [7.0, 7.0]]


def test_queries_in_threads_share_one_limit_and_restore_it():
    """Two threads inside at once: BLAS stays on one thread until the last one leaves, then
    is back to what it was (a limiter per thread would restore 1 when they overlap)."""
    import threading

    before = _blas_threads()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with _one_blas_thread():
            a_in.set()
            b_in.wait(10)
        seen["after a"] = _blas_threads()
        a_out.set()

    def b():
        a_in.wait(10)
        with _one_blas_thread():
            b_in.set()
            a_out.wait(10)
            seen["b alone"] = _blas_threads()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen["after a"] == [1] * len(before)  # b is still inside
    assert seen["b alone"] == [1] * len(before)
    assert _blas_threads() == before
