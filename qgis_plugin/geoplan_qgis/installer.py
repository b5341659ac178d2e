"""Install what geoplan lacks into QGIS's own Python, without touching what QGIS ships.

The plugin's dependency step (first start, after asking):

1. :func:`plan` asks pip, run by QGIS's own interpreter, what it would install for the missing
   requirements (``pip install --dry-run --report``), with a constraints file that pins every
   library QGIS ships (numpy, GDAL, shapely, pyproj, pandas, …) to the version QGIS has, so a
   plan can never replace one of them. Packages that must come with QGIS because they carry or
   link GEOS/PROJ/GDAL or numpy's ABI (:data:`SHIPPED_ONLY`) are never installed: the plan names
   them and says how to get them on this platform.
2. :func:`install` installs exactly the planned ``name==version`` list with ``--no-deps`` into the
   plugin's own folder (:func:`default_target`, ``<QGIS profile>/python/geoplan_deps``), reporting
   progress and stopping when cancelled; a failure returns pip's last lines.
3. :func:`activate` (called by ``classFactory`` before anything imports geoplan) puts that folder
   on ``sys.path``.

No QGIS import at module level: tests call these functions directly in any Python.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "PINNED_IF_PRESENT",
    "SHIPPED_ONLY",
    "InstallResult",
    "Plan",
    "activate",
    "command_line",
    "default_target",
    "install",
    "plan",
    "python_for_pip",
    "shipped_constraints",
]

#: Distributions that are pinned to the version QGIS's Python has (when present): installing
#: another copy would replace or shadow what QGIS and its other plugins run on.
PINNED_IF_PRESENT = (
    "numpy", "gdal", "shapely", "pyproj", "pandas", "scipy", "matplotlib", "pyogrio", "rasterio",
    "fiona", "pyqt5", "pyqt6", "pyqt5-sip", "pyqt6-sip", "sip", "psycopg2", "pillow", "lxml",
    "h5py", "netcdf4", "contourpy", "kiwisolver",
)
#: Never installed by the plugin even when missing: they link GEOS/PROJ/GDAL (a second binary
#: copy crashes inside QGIS on Linux) or must match the numpy QGIS's own modules are built for.
SHIPPED_ONLY = ("numpy", "gdal", "shapely", "pyproj", "pyogrio", "rasterio", "fiona")

_TEXTS = {
    "sv": {
        "These modules must come with QGIS and cannot be installed by the plugin: {names}.":
            "Dessa moduler måste följa med QGIS och kan inte installeras av tillägget: {names}.",
        "pip failed ({code}): {tail}": "pip misslyckades ({code}): {tail}",
        "Cancelled.": "Avbrutet.",
        "Installed {n} modules into {target}.": "Installerade {n} moduler i {target}.",
    },
    "da": {
        "These modules must come with QGIS and cannot be installed by the plugin: {names}.":
            "Disse moduler skal følge med QGIS og kan ikke installeres af pluginet: {names}.",
        "pip failed ({code}): {tail}": "pip fejlede ({code}): {tail}",
        "Cancelled.": "Annulleret.",
        "Installed {n} modules into {target}.": "Installerede {n} moduler i {target}.",
    },
}


def _t(text: str, lang: str | None = None) -> str:
    try:
        from .i18n import current_language

        lang = lang or current_language()
    except Exception:  # pragma: no cover - a bare Python without the package
        lang = lang or "en"
    return _TEXTS.get(lang, {}).get(text, text)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- where ---------------------------------------------------------------------------------------
def default_target() -> Path:
    """``<QGIS profile>/python/geoplan_deps``, next to the profile's ``python/plugins`` folder
    the plugin was installed into: survives plugin updates, one per profile."""
    here = Path(__file__).resolve().parent
    if here.parent.name == "plugins" and here.parent.parent.name == "python":
        return here.parent.parent / "geoplan_deps"
    try:  # a plugin loaded from elsewhere (QGIS_PLUGINPATH, a source checkout)
        from qgis.core import QgsApplication

        base = QgsApplication.qgisSettingsDirPath()
        if base:
            return Path(base) / "python" / "geoplan_deps"
    except Exception:  # no QGIS here (tests, a bare Python)
        pass
    return Path.home() / ".geoplan_qgis" / "deps"


def activate(target: Path | None = None) -> Path | None:
    """Put the dependency folder first on ``sys.path`` when it exists; returns it."""
    target = Path(target) if target is not None else default_target()
    if not target.is_dir():
        return None
    entry = str(target)
    if entry not in sys.path:
        sys.path.insert(0, entry)
        importlib.invalidate_caches()
    return target


def python_for_pip() -> str:
    """QGIS's own interpreter. Inside QGIS ``sys.executable`` is the QGIS binary on Windows and
    macOS: take the ``python.exe``/``python3`` of ``sys.prefix`` (OSGeo4W: ``apps/Python3x``)."""
    exe = Path(sys.executable) if sys.executable else None
    if exe is not None and exe.name.lower().startswith("python") and exe.exists():
        return str(exe)
    major, minor = sys.version_info[:2]
    for base in (Path(sys.prefix), Path(sys.exec_prefix), Path(sys.base_prefix)):
        for cand in (
            base / "python.exe",
            base / "python3.exe",
            base / "bin" / f"python{major}.{minor}",
            base / "bin" / f"python{major}",
            base / "bin" / "python3",
        ):
            if cand.is_file():
                return str(cand)
    return "python.exe" if os.name == "nt" else f"python{major}"


_CMD_SPECIALS = set(' \t"<>|&^()%!,;=')


def command_line(args: Sequence[str], windows: bool | None = None) -> str:
    """``args`` as one command line the user's shell takes: cmd.exe / the OSGeo4W shell on
    Windows (double quotes around anything with a space or one of ``<>|&^()%!``; no single
    quotes), a POSIX shell elsewhere."""
    windows = (os.name == "nt") if windows is None else windows
    if not windows:
        import shlex

        return shlex.join(args)
    out = []
    for a in args:
        if a and not (set(a) & _CMD_SPECIALS):
            out.append(a)
        else:
            out.append('"' + a.replace('"', '""') + '"')
    return " ".join(out)


# --- what QGIS ships ---------------------------------------------------------------------------
def _installed() -> dict[str, str]:
    """Normalised distribution name -> version, for everything this Python sees."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata.get("Name") if dist.metadata else None
        if name and _norm(name) not in found:
            found[_norm(name)] = dist.version
    if "gdal" not in found:  # OSGeo4W/Debian may lack GDAL's metadata: ask osgeo itself
        try:
            from osgeo import gdal

            found["gdal"] = gdal.__version__
        except Exception:
            pass
    return found


def shipped_constraints(names: Iterable[str] = PINNED_IF_PRESENT) -> list[str]:
    """``name==version`` for each of ``names`` that this Python (QGIS's) has."""
    have = _installed()
    return [f"{n}=={have[_norm(n)]}" for n in names if _norm(n) in have]


# --- plan and install ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What pip would install (``name==version``), what it may not, and pip's error if any."""

    install: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    error: str | None = None
    constraints: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and not self.refused

    def message(self, lang: str | None = None) -> str:
        if self.error:
            return self.error
        if self.refused:
            return _t(
                "These modules must come with QGIS and cannot be installed by the plugin: "
                "{names}.", lang
            ).format(names=", ".join(self.refused))
        return ", ".join(self.install)


@dataclass(frozen=True)
class InstallResult:
    ok: bool
    message: str
    installed: tuple[str, ...] = ()
    log: str = ""
    cancelled: bool = False


@dataclass
class _Source:
    find_links: Sequence[str | Path] = ()
    no_index: bool = False
    extra: list[str] = field(default_factory=list)

    def args(self) -> list[str]:
        out = ["--no-index"] if self.no_index else []
        for f in self.find_links:
            out += ["--find-links", str(f)]
        return out + list(self.extra)


def _externally_managed(python: str) -> bool:
    code = (
        "import sys, sysconfig, pathlib; p = sysconfig.get_path('stdlib'); "
        "print(int(sys.prefix == sys.base_prefix and bool(p) and "
        "(pathlib.Path(p) / 'EXTERNALLY-MANAGED').exists()))"
    )
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60,
                             **_no_window())
        return out.stdout.strip() == "1"
    except (OSError, subprocess.SubprocessError):
        return False


def _no_window() -> dict:
    """No console window flashing up on Windows."""
    if os.name == "nt":
        return {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0)}
    return {}


def _env(target: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(target), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    return env


def plan(
    requirements: Sequence[str],
    *,
    target: Path | None = None,
    find_links: Sequence[str | Path] = (),
    no_index: bool = False,
    python: str | None = None,
    constraints: Sequence[str] | None = None,
) -> Plan:
    """Ask pip (QGIS's interpreter, seeing QGIS's packages and ``target``) what it would install
    for ``requirements``; what QGIS ships is pinned with a constraints file."""
    python = python or python_for_pip()
    target = Path(target) if target is not None else default_target()
    pins = list(shipped_constraints() if constraints is None else constraints)
    src = _Source(find_links, no_index)
    with tempfile.TemporaryDirectory(prefix="geoplan-pip-") as tmp:
        cfile = Path(tmp) / "constraints.txt"
        cfile.write_text("\n".join(pins) + "\n", encoding="utf-8")
        report = Path(tmp) / "report.json"
        cmd = [python, "-m", "pip", "install", "--dry-run", "--quiet", "--report", str(report),
               "--only-binary", ":all:", "-c", str(cfile), *src.args()]
        if _externally_managed(python):
            cmd.append("--break-system-packages")  # a dry run writes nothing
        cmd += list(requirements)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                                  env=_env(target), **_no_window())
        except (OSError, subprocess.SubprocessError) as exc:
            return Plan(error=f"{command_line(cmd[:3])}: {exc}", constraints=tuple(pins))
        if proc.returncode != 0 or not report.is_file():
            tail = _tail(proc.stderr or proc.stdout)
            return Plan(error=_t("pip failed ({code}): {tail}").format(code=proc.returncode,
                                                                       tail=tail),
                        constraints=tuple(pins))
        doc = json.loads(report.read_text(encoding="utf-8"))
    wanted = [
        (item["metadata"]["name"], item["metadata"]["version"]) for item in doc.get("install", [])
    ]
    refused = tuple(f"{n}=={v}" for n, v in wanted if _norm(n) in SHIPPED_ONLY)
    return Plan(
        install=tuple(f"{n}=={v}" for n, v in wanted if _norm(n) not in SHIPPED_ONLY),
        refused=refused,
        constraints=tuple(pins),
    )


def install_command(
    the_plan: Plan, target: Path, *, find_links: Sequence[str | Path] = (),
    no_index: bool = False, python: str | None = None,
) -> list[str]:
    """The pip command :func:`install` runs (``--target``, ``--no-deps``, exact pins)."""
    python = python or python_for_pip()
    return [python, "-m", "pip", "install", "--no-deps", "--only-binary", ":all:", "--upgrade",
            "--no-warn-script-location", "--target", str(target),
            *_Source(find_links, no_index).args(), *the_plan.install]


def install(
    the_plan: Plan,
    *,
    target: Path | None = None,
    find_links: Sequence[str | Path] = (),
    no_index: bool = False,
    python: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> InstallResult:
    """Install the plan's packages into ``target``; ``progress(fraction, line)`` while pip runs,
    ``cancelled()`` polled (pip is stopped when it returns True)."""
    target = Path(target) if target is not None else default_target()
    if not the_plan.ok:
        return InstallResult(False, the_plan.message())
    if not the_plan.install:
        return InstallResult(True, _t("Installed {n} modules into {target}.").format(
            n=0, target=target))
    target.mkdir(parents=True, exist_ok=True)
    cmd = install_command(the_plan, target, find_links=find_links, no_index=no_index,
                          python=python)
    total = len(the_plan.install)
    lines: list[str] = []
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=_env(target), **_no_window())
    except OSError as exc:
        return InstallResult(False, f"{command_line(cmd[:3])}: {exc}")

    def reader():
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line.rstrip())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    seen = 0
    while True:
        try:
            proc.wait(timeout=0.1)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
        if cancelled is not None and cancelled():
            proc.kill()
            proc.wait()
            thread.join(timeout=5)
            return InstallResult(False, _t("Cancelled."), log="\n".join(lines), cancelled=True)
        while seen < len(lines):
            line = lines[seen]
            seen += 1
            if progress is not None:
                done = sum(1 for x in lines[:seen] if x.lstrip().startswith(("Processing",
                                                                              "Collecting")))
                if line.startswith("Installing collected packages"):
                    done = total
                progress(min(done, total) / (total + 1), line)
        if finished:
            break
    thread.join(timeout=5)
    log = "\n".join(lines)
    if proc.returncode != 0:
        return InstallResult(False, _t("pip failed ({code}): {tail}").format(
            code=proc.returncode, tail=_tail(log)), log=log)
    if progress is not None:
        progress(1.0, "")
    activate(target)
    return InstallResult(
        True, _t("Installed {n} modules into {target}.").format(n=total, target=target),
        installed=the_plan.install, log=log,
    )


def _tail(text: str, n: int = 6) -> str:
    return "\n".join([x for x in (text or "").splitlines() if x.strip()][-n:])
