"""Can geoplan run in the Python that QGIS runs? The one place that answers.

QGIS desktop runs its own Python (Debian's ``/usr/bin/python3``, OSGeo4W's on Windows), not
geoplan's venv, so geoplan or its libraries may be missing there. :func:`check` finds every
missing or too old module without importing QGIS or the heavy libraries (only ``geoplan`` itself
is imported, to catch a broken install), and :meth:`DepsReport.message` says which modules and the
command that fixes it. The plugin then registers nothing and shows that message once.

Run it by hand in any Python to see what QGIS would see::

    PYTHONPATH=qgis_plugin /usr/bin/python3 -m geoplan_qgis.deps
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import re
import shlex
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .i18n import tr
from .installer import command_line, python_for_pip

__all__ = ["REQUIREMENTS", "DepsReport", "Problem", "Requirement", "check", "main"]


@dataclass(frozen=True)
class Requirement:
    """One importable module geoplan needs: import name, pip name and accepted versions."""

    module: str
    dist: str
    minimum: str | None = None
    below: str | None = None

    @property
    def spec(self) -> str:
        """The pip requirement, e.g. ``numpy>=1.26,<2``."""
        parts = []
        if self.minimum:
            parts.append(f">={self.minimum}")
        if self.below:
            parts.append(f"<{self.below}")
        return self.dist + ",".join(parts)


#: What geoplan needs at run time: its own package and the ``[project] dependencies`` of
#: pyproject.toml, the core (a test keeps the two in step). The extras (report, dask, demo) are
#: not needed by the plugin.
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("geoplan", "geoplan", "0.1.0"),
    Requirement("numpy", "numpy", "1.26"),
    Requirement("pandas", "pandas", "2.1"),
    Requirement("geopandas", "geopandas", "1.0"),
    Requirement("shapely", "shapely", "2.0"),
    Requirement("pyogrio", "pyogrio", "0.10"),
    Requirement("pyproj", "pyproj", "3.6"),
    Requirement("rasterio", "rasterio", "1.4"),
    Requirement("attrs", "attrs", "23.2"),
    Requirement("osmnx", "osmnx", "2.0"),
    Requirement("networkx", "networkx", "3.2"),
    Requirement("scipy", "scipy", "1.10"),
    Requirement("osmium", "osmium", "3.7"),
    Requirement("click", "click", "8.1"),
    Requirement("tqdm", "tqdm", "4.66"),
    Requirement("pydantic", "pydantic", "2.5"),
    Requirement("openpyxl", "openpyxl", "3.1"),
    Requirement("reverse_geocode", "reverse_geocode", "1.6"),
    Requirement("babel", "babel", "2.12"),
    Requirement("xlsxwriter", "xlsxwriter", "3.1"),
    Requirement("threadpoolctl", "threadpoolctl", "3.1"),
)


@dataclass(frozen=True)
class Problem:
    """A requirement this Python does not meet: ``missing``, ``too old`` or ``too new``."""

    requirement: Requirement
    kind: str
    found: str | None = None

    def describe(self, lang: str | None = None) -> str:
        req = self.requirement
        if self.kind == "missing":
            what = tr("not installed", lang)
        elif self.kind == "too old":
            what = tr("version {found} is too old", lang).format(found=self.found)
        else:
            what = tr("version {found} is too new", lang).format(found=self.found)
        return f"{req.module} ({req.spec}): {what}"


@dataclass(frozen=True)
class DepsReport:
    """The result of :func:`check`; ``ok`` when geoplan can run here."""

    problems: tuple[Problem, ...]
    import_error: str | None
    python: str
    python_version: str
    repo: Path | None

    @property
    def ok(self) -> bool:
        return not self.problems and self.import_error is None

    def headline(self, lang: str | None = None) -> str:
        """One short line for QGIS's message bar: the modules, most important first."""
        if self.ok:
            return self.message(lang)
        if not self.problems:
            return tr("importing geoplan failed: {error}", lang).format(error=self.import_error)
        names = [
            p.requirement.module if p.kind == "missing"
            else f"{p.requirement.module} {p.found} ({p.requirement.spec})"
            for p in self.problems
        ]
        return tr("QGIS's Python lacks {modules}.", lang).format(modules=", ".join(names))

    @property
    def missing_modules(self) -> list[str]:
        """Import names of the modules that are missing, too old or too new."""
        return [p.requirement.module for p in self.problems]

    def install_requirements(self) -> list[str]:
        """pip requirements for the plugin's installer: every unusable module's spec."""
        return [p.requirement.spec for p in self.problems]

    def fix_commands(self, lang: str | None = None, windows: bool | None = None) -> list[str]:
        """Commands that fix this Python, best first, quoted for the user's shell (cmd.exe or
        the OSGeo4W shell on Windows, a POSIX shell elsewhere)."""
        windows = (os.name == "nt") if windows is None else windows
        posix = not windows

        def cmd(*args: str) -> str:
            return command_line(args, windows=windows)

        brk = ["--break-system-packages"] if posix and _externally_managed() else []
        cmds = []
        if self.repo is not None:
            repo = str(self.repo)
            if posix:
                site = shlex.quote(str(_venv_site_packages(self.repo)))
                q = shlex.quote(repo)
                cmds.append(f"cd {q} && make setup && PYTHONPATH={q}{os.pathsep}{site} qgis")
            lock = self.repo / "requirements.lock"
            constraint = ["-c", str(lock)] if lock.is_file() and posix else []
            cmds.append(cmd(self.python, "-m", "pip", "install", "--user", *brk, *constraint,
                            "-e", repo))
        else:
            specs = [p.requirement.spec for p in self.problems]
            if specs:
                cmds.append(cmd(self.python, "-m", "pip", "install", "--user", *brk, *specs))
            elif self.import_error:
                cmds.append(cmd(self.python, "-m", "pip", "install", "--user", *brk,
                                "--force-reinstall", "--no-deps", "geoplan"))
        return cmds

    def message(self, lang: str | None = None) -> str:
        """One message for the planner: what is missing and the command that fixes it."""
        if self.ok:
            return tr("geoplan and all its Python modules are available.", lang)
        lines = []
        where = f"{self.python} {self.python_version}"
        if self.problems:
            lines.append(
                tr(
                    "geoplan cannot start: the Python that QGIS runs ({python}) lacks "
                    "these modules, or has versions geoplan cannot use:",
                    lang,
                ).format(python=where)
            )
            lines += [f"  - {p.describe(lang)}" for p in self.problems]
        else:
            lines.append(
                tr(
                    "geoplan cannot start: importing it in the Python that QGIS runs "
                    "({python}) failed: {error}",
                    lang,
                ).format(python=where, error=self.import_error)
            )
        cmds = self.fix_commands(lang)
        if self.repo is None and self.problems:
            lines.append(
                tr("Fix: press \"Install missing modules\" on QGIS's message bar (geoplan asks "
                   "first and installs only what QGIS lacks), or in a terminal (the OSGeo4W Shell "
                   "on Windows) run, then restart QGIS:", lang)
            )
            lines += [f"  {c}" for c in cmds]
        elif self.repo is not None and os.name == "posix":
            lines.append(
                tr(
                    "Fix: close QGIS, then set geoplan up and start QGIS with its libraries "
                    "(in a terminal):",
                    lang,
                )
            )
            lines.append(f"  {cmds[0]}")
            lines.append(tr("or install them into QGIS's own Python and restart QGIS:", lang))
            lines += [f"  {c}" for c in cmds[1:]]
        else:
            lines.append(
                tr("Fix: install them into QGIS's own Python (in a terminal), then restart QGIS:",
                   lang)
            )
            lines += [f"  {c}" for c in cmds]
        return "\n".join(lines)


def check(requirements: tuple[Requirement, ...] = REQUIREMENTS) -> DepsReport:
    """Check that every requirement is importable here in an accepted version.

    Only looks the modules up (no import) except ``geoplan`` itself, which is imported when
    everything else is in place so that a broken install is reported too.
    """
    problems = []
    for req in requirements:
        if not _findable(req.module):
            problems.append(Problem(req, "missing"))
            continue
        found = _installed_version(req)
        if found is None:
            continue  # e.g. a source checkout on PYTHONPATH: no metadata, trust it
        if req.minimum and _vtuple(found) < _vtuple(req.minimum):
            problems.append(Problem(req, "too old", found))
        elif req.below and _vtuple(found) >= _vtuple(req.below):
            problems.append(Problem(req, "too new", found))
    import_error = None
    if not problems and any(r.module == "geoplan" for r in requirements):
        try:
            importlib.import_module("geoplan")
        except Exception as exc:  # anything: a broken install must not crash QGIS
            import_error = f"{type(exc).__name__}: {exc}"
    return DepsReport(
        problems=tuple(problems),
        import_error=import_error,
        python=_python_command(),
        python_version=".".join(str(v) for v in sys.version_info[:3]),
        repo=_source_checkout(),
    )


def _findable(module: str) -> bool:
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _installed_version(req: Requirement) -> str | None:
    try:
        return importlib.metadata.version(req.dist)
    except importlib.metadata.PackageNotFoundError:
        mod = sys.modules.get(req.module)
        return getattr(mod, "__version__", None) if mod is not None else None


def _vtuple(version: str) -> tuple[int, ...]:
    """``"2.1rc1"`` -> ``(2, 1)``; padded so that ``(2,) == (2, 0, 0)``."""
    nums = []
    for part in version.split("."):
        m = re.match(r"\d+", part)
        if not m:
            break
        nums.append(int(m.group()))
    while len(nums) < 3:
        nums.append(0)
    return tuple(nums)


def _python_command() -> str:
    """The interpreter a user should call for pip; inside QGIS ``sys.executable`` is often QGIS."""
    return python_for_pip()


def _externally_managed() -> bool:
    """Debian and others refuse ``pip install --user`` without a flag (PEP 668)."""
    stdlib = sysconfig.get_path("stdlib")
    return bool(stdlib) and (Path(stdlib) / "EXTERNALLY-MANAGED").exists()


def _source_checkout() -> Path | None:
    """The geoplan checkout this plugin sits in (``<repo>/qgis_plugin/geoplan_qgis``), if any."""
    repo = Path(__file__).resolve().parents[2]
    if (repo / "pyproject.toml").is_file() and (repo / "geoplan" / "__init__.py").is_file():
        return repo
    return None


def _venv_site_packages(repo: Path) -> Path:
    major, minor = sys.version_info[:2]
    return repo / ".venv" / "lib" / f"python{major}.{minor}" / "site-packages"


def main(argv: list[str] | None = None) -> int:
    """Print the report (``--json``: as JSON); exit status 1 when geoplan cannot run here."""
    args = sys.argv[1:] if argv is None else argv
    report = check()
    if "--json" in args:
        import json

        problems = [
            {"module": p.requirement.module, "spec": p.requirement.spec, "kind": p.kind,
             "found": p.found}
            for p in report.problems
        ]
        doc = {
            "ok": report.ok,
            "missing_modules": report.missing_modules,
            "problems": problems,
            "import_error": report.import_error,
            "fix_commands": report.fix_commands("en"),
            "message": report.message("en"),
        }
        print(json.dumps(doc, indent=2))
    else:
        print(report.message())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
