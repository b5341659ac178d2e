"""``geoplan project OUT [--lang sv|da|en]``: a QGIS project (``OUT/project.qgz``) of a run.

The project is written by QGIS itself (:mod:`geoplan_qgis.project` in the QGIS plugin), so this
command needs a Python that imports ``qgis`` (QGIS's own Python: the OSGeo4W Shell on Windows,
``python3`` with Debian's ``python3-qgis``); it runs the plugin's helper in a subprocess and
never imports QGIS here. Without QGIS it says how to get it.

Example
-------
>>> import click
>>> group = click.Group("geoplan")
>>> register(group)
>>> sorted(group.commands), plugin_folder() is None or plugin_folder().name
(['project'], 'qgis_plugin')
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import click

from ..errors import ConfigError
from ..i18n import LANGUAGES

__all__ = ["plugin_folder", "register"]

_NO_QGIS = (
    "`geoplan project` needs QGIS's Python (the module 'qgis' is not importable by {python}): "
    "run it with the Python QGIS ships — on Windows in the OSGeo4W Shell "
    "(`python -m geoplan.cli.main project OUT`), on Debian/Ubuntu after "
    "`apt install python3-qgis` with a venv made with --system-site-packages — or open the run "
    "in QGIS with the geoplan plugin, which writes project.qgz after every run")


def plugin_folder() -> Path | None:
    """The folder holding the ``geoplan_qgis`` plugin package: where Python finds it, else the
    ``qgis_plugin`` folder of a geoplan checkout; None when neither has it."""
    spec = importlib.util.find_spec("geoplan_qgis")
    if spec is not None and spec.origin:
        return Path(spec.origin).resolve().parents[1]
    here = Path(__file__).resolve().parents[2] / "qgis_plugin"
    return here if (here / "geoplan_qgis" / "project.py").is_file() else None


@click.command("project")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the layer names, legends and layout.")
def project_command(out: Path, lang: str) -> None:
    """Write OUT/project.qgz: the run's layers styled, its council or scenario layout, its CRS.

    OUT is a folder `geoplan run`, `geoplan demo` or `geoplan scenario run` wrote. Needs
    QGIS's Python (see the error message otherwise).

    Example: geoplan project out/demo --lang sv
    """
    if importlib.util.find_spec("qgis") is None:
        raise ConfigError(_NO_QGIS.format(python=sys.executable))
    plugin = plugin_folder()
    if plugin is None:
        raise ConfigError("the geoplan QGIS plugin (geoplan_qgis) is not found: install it in "
                          "QGIS (Plugins › Install from ZIP, `make plugin-zip`) or run from a "
                          "geoplan checkout")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(plugin), env.get("PYTHONPATH", "")) if p)
    if not env.get("DISPLAY") and sys.platform.startswith("linux"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    done = subprocess.run([sys.executable, "-m", "geoplan_qgis.project", str(out),
                           "--lang", lang], env=env, capture_output=True, text=True)
    said = [ln.removeprefix("geoplan project: ") for ln in done.stderr.splitlines()
            if ln.startswith("geoplan project: ")]
    if done.returncode == 2 and said:
        raise ConfigError(said[-1])
    if done.returncode != 0:
        raise RuntimeError(f"QGIS could not write the project: {done.stderr.strip()[-800:]}")
    click.echo(done.stdout.strip())


def register(cli: click.Group) -> None:
    """Add the ``project`` command to the ``geoplan`` command group."""
    cli.add_command(project_command)
