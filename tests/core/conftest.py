"""Fixtures of the core tests that more than one module shares (built once per session)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

GEOPLAN = str(Path(sys.executable).with_name("geoplan"))


@pytest.fixture(scope="session")
def demo_baseline():
    """``(cfg, baseline)``: the demo pipeline (``geoplan demo``'s, 100 m cells) and its
    :func:`~geoplan.scenario.prepare_baseline`, computed once for the scenario tests. Read only:
    scenarios are applied to it, never into it."""
    from geoplan.config import parse_pipeline
    from geoplan.datasets import DEMO_PIPELINE
    from geoplan.runs.pipeline import study_from_pipeline
    from geoplan.scenario import prepare_baseline

    cfg = parse_pipeline(DEMO_PIPELINE, Path.cwd(), source="demo")
    return cfg, prepare_baseline(study_from_pipeline(cfg))


@pytest.fixture(scope="session")
def gpkg_run_dir(tmp_path_factory) -> Path:
    """A ``geoplan run`` folder of the demo at 250 m cells, GeoPackage only (with its saved
    baseline), made once for the CLI tests that run ``geoplan scenario run`` on it. Read only:
    scenarios write into folders of their own."""
    from geoplan.config import parse_pipeline
    from geoplan.runs.pipeline import run_pipeline

    out = tmp_path_factory.mktemp("gpkg_run") / "run"
    toml = '[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n[output]\nformats = ["gpkg"]'
    run_pipeline(parse_pipeline(toml, out), out)
    return out


@pytest.fixture(scope="session")
def offline_demo(run_once) -> SimpleNamespace:
    """`geoplan demo` (English) run ONCE per run (shared by the xdist workers: ``run_once``) in
    a fresh process whose every non-loopback connection and DNS lookup fails (and is logged, in
    case something swallows the error). A probe shows the guard works first. Read only
    (test_robustness.py and test_cli.py read it).

    ``out`` (the demo folder), ``demo`` and ``probe`` (``subprocess.CompletedProcess``),
    ``probe_logged`` (the probe's attempt was logged), ``log`` (the attempts log, removed after
    the probe).
    """
    return run_once("offline_demo", _offline_demo)


def _offline_demo(tmp_path: Path) -> SimpleNamespace:
    guard = tmp_path / "guard"
    guard.mkdir()
    log = tmp_path / "network_attempts.log"
    (guard / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import socket

        _LOG = {str(log)!r}
        _LOCAL = ("127.0.0.1", "localhost", "::1")

        def _refuse(what):
            with open(_LOG, "a") as f:
                f.write(repr(what) + "\\n")
            raise OSError(f"network blocked by the test: {{what!r}}")

        _connect = socket.socket.connect
        _connect_ex = socket.socket.connect_ex
        _getaddrinfo = socket.getaddrinfo

        def _host(address):
            return address[0] if isinstance(address, tuple) else address

        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in _LOCAL:
                _refuse(address)
            return _connect(self, address)

        def connect_ex(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in _LOCAL:
                _refuse(address)
            return _connect_ex(self, address)

        def getaddrinfo(host, *args, **kwargs):
            if host not in _LOCAL and host is not None:
                _refuse(host)
            return _getaddrinfo(host, *args, **kwargs)

        socket.socket.connect = connect
        socket.socket.connect_ex = connect_ex
        socket.getaddrinfo = getaddrinfo
        """), encoding="utf-8")
    # the guard first; then the caller's PYTHONPATH (a worktree's own geoplan), if any
    path = os.pathsep.join(p for p in (str(guard), os.environ.get("PYTHONPATH", "")) if p)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": path,
           "LANG": "C.UTF-8", "http_proxy": "", "https_proxy": ""}
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection("
                            "('198.51.100.7', 80), timeout=1)"], env=env, capture_output=True,
                           text=True, timeout=60)
    probe_logged = log.exists()
    log.unlink(missing_ok=True)
    demo = subprocess.run([GEOPLAN, "demo", "--out", str(tmp_path / "demo")], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    return SimpleNamespace(out=tmp_path / "demo", demo=demo, probe=probe,
                           probe_logged=probe_logged, log=log)


@pytest.fixture(scope="session")
def synth_3000_study():
    """The :class:`~geoplan.study.Study` of the benchmarks' synthetic municipality of ~3,000
    nodes (``benchmarks/synth.py``), made once. Read only."""
    from geoplan.study import Study

    bench = str(Path(__file__).resolve().parents[2] / "benchmarks")
    sys.path.insert(0, bench)
    try:
        from synth import municipality
    finally:
        sys.path.remove(bench)
    s = municipality(3000)
    return Study(s.data, s.network, s.cells, spec=s.spec)


@pytest.fixture(scope="session")
def synth_3000_baseline(synth_3000_study):
    """:func:`~geoplan.scenario.prepare_baseline` of :func:`synth_3000_study`, computed once.
    Read only."""
    from geoplan.scenario import prepare_baseline

    return prepare_baseline(synth_3000_study)
