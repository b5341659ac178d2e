"""The bad-input corpus (cases.toml): each case gives its exact GeoplanError through the CLI,
exit code 2, no traceback, and changes nothing: no new, changed or removed file in the output
folder (which holds a previous result) and every input byte for byte the same.

All cases run in-process through ``geoplan.cli.main.main`` (what the ``geoplan`` script calls); the
ones marked ``subprocess = true`` also run as real processes, in parallel, where stderr must be
the error alone (no warning, no progress bar, no traceback).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

CASES = corpus.load_cases()
GEOPLAN = str(Path(sys.executable).with_name("geoplan"))


def _scenario_missing() -> bool:
    return importlib.util.find_spec("geoplan.scenario.recompute") is None


def test_manifest_is_complete():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert len(CASES) >= 30
    assert {c.category for c in CASES} == set(corpus.CATEGORIES)
    for c in CASES:
        assert c.expect and all(isinstance(f, str) and f for f in c.expect), c.id
        for fn in (c.make, c.api):
            assert fn is None or hasattr(corpus.builders, fn), c.id
        assert bool(c.args) != bool(c.api), c.id
    # the scenario cases stay at the end (they depend on another developer's module)
    assert [c.category for c in CASES[-2:]] == ["scenario", "scenario"]


def _check_message(err: str, case) -> None:
    assert "Traceback" not in err, err
    if case.click:  # click's usage errors: "Usage: …", "Error: Invalid value for …"
        assert "\nError: " in err, err
    else:
        assert err.startswith("geoplan: error: "), err
        assert "internal error" not in err
    flat = " ".join(err.split())
    for fragment in case.expect:
        assert " ".join(fragment.split()) in flat, f"{fragment!r} not in:\n{err}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path, monkeypatch, capsys):
    from geoplan.cli.main import main

    if case.xfail and _scenario_missing():
        pytest.xfail(case.xfail)
    ctx, argv = corpus.prepare(case, tmp_path)
    before, files_before = corpus.snapshot(tmp_path), corpus.snapshot(corpus.FILES)
    monkeypatch.chdir(ctx.tmp)
    monkeypatch.delenv("GEOPLAN_DEBUG", raising=False)
    if case.api:  # an API call where no CLI command exists yet: a GeoplanError, nothing written
        from geoplan.errors import GeoplanError

        with pytest.raises(GeoplanError) as err:
            getattr(corpus.builders, case.api)(ctx)
        _check_message(f"geoplan: error: {err.value}", case)
        assert corpus.snapshot(tmp_path) == before
        return
    capsys.readouterr()
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 2, f"exit {rc}\n{err}"
    _check_message(err, case)
    assert out == ""
    # nothing written, nothing changed: inputs, the previous output, the committed files
    assert corpus.snapshot(tmp_path) == before
    assert corpus.snapshot(corpus.FILES) == files_before


SUBPROCESS = [c for c in CASES if c.subprocess]


def test_subprocess_subset_stderr_is_the_error_alone(tmp_path):
    """Real `geoplan` processes (started together): exit 2, stderr only `geoplan: error: …`."""
    assert len(SUBPROCESS) >= 5
    env = {k: v for k, v in os.environ.items() if k != "GEOPLAN_DEBUG"}
    runs = []
    try:
        for case in SUBPROCESS:
            ctx, argv = corpus.prepare(case, tmp_path / case.id)
            before = corpus.snapshot(tmp_path / case.id)
            proc = subprocess.Popen([GEOPLAN, *argv], cwd=ctx.tmp, env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            runs.append((case, proc, before))
        _check_runs(runs, tmp_path)
    finally:  # a failed case leaves no process running into a later test (ResourceWarning)
        for _, proc, _ in runs:
            if not proc.stdout.closed:  # not read: a case before it failed
                proc.kill()
                proc.communicate()


def _check_runs(runs: list, tmp_path) -> None:
    for case, proc, before in runs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 2, f"{case.id}: exit {proc.returncode}\n{err}"
        _check_message(err, case)
        lines = err.rstrip("\n").split("\n")
        assert len(lines) == 1 or case.click, f"{case.id}: more than the error on stderr:\n{err}"
        assert out == ""
        assert corpus.snapshot(tmp_path / case.id) == before, case.id
