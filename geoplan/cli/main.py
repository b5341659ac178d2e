"""The ``geoplan`` command line. Bad input prints one clear message and exits with code 2.

This module builds the group (``inspect``, ``run``, ``demo``, ``overpass``) and registers the
sub-commands that live in their own modules (``report``, ``scenario``, ``safety-walk``, ``many``);
those never import this module (what they share is in :mod:`geoplan.cli.common`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from ..runs import folder as rf
from . import findings, many, project, report, scenario
from .common import (
    OSM_CREDIT,
    area_arg,
    end_process,
    lang_option,
    program_gc,
    run_group,
    with_bar,
)

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geoplan")
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """geoplan: walkability, lighting and safety layers and planning scenarios from OpenStreetMap.

    Outputs built on OpenStreetMap data: © OpenStreetMap contributors (ODbL).
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.argument("osm_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--area", type=click.Path(path_type=Path), help="Polygon file of the study area.")
@click.option("--bbox", help="Study area as minlon,minlat,maxlon,maxlat (degrees, WGS 84).")
@click.option("--crs", help="Metric CRS to compute in (default: chosen from the country).")
@click.option("--lamps", "lamps_file", type=click.Path(path_type=Path),
              help="Municipal lamp register (GeoPackage, or CSV with coordinates).")
@click.option("--lamps-crs", help="CRS of a CSV lamp register, e.g. EPSG:3006.")
@click.option("--lamps-mode", type=click.Choice(["augment", "replace"]), default="augment",
              show_default=True, help="Add register lamps to OSM's, or use the register alone.")
@lang_option()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the summary as JSON to this file.")
def inspect(osm_file, area, bbox, crs, lamps_file, lamps_crs, lamps_mode, lang, as_json, out):
    """Print a data-quality summary of an OSM extract (.osm.pbf, .osm, .osm.bz2).

    Example: geoplan inspect Helsinki.osm.pbf --bbox 24.935,60.164,24.953,60.179 --lang sv
    """
    from ..atomic import check_not_inputs, write_text
    from ..inspect import inspect_osm

    check_not_inputs([out], [osm_file, area, lamps_file])
    s = with_bar("inspect", inspect_osm, osm_file, area=area_arg(area, bbox), crs=crs,
                 lamps_file=lamps_file, lamps_crs=lamps_crs, lamps_mode=lamps_mode)
    if out is not None:
        write_text(out, s.to_json() + "\n")
    click.echo(s.to_json() if as_json else s.to_text(lang))


def _run(cfg, out: Path, label: str) -> None:
    from ..runs.pipeline import run_pipeline

    result = with_bar(label, run_pipeline, cfg, out)
    m = result.layers.meta
    click.echo(
        f"{cfg.title}: {m['cells']} cells of {cfg.grid.cell_size_m:g} m, "
        f"{m['pop_total']:,.0f} residents ({m['pop_source']}), CRS {m['crs']}"
    )
    for f in result.files:
        click.echo(f"written: {f}")
    click.echo(OSM_CREDIT)


@cli.command()
@click.argument("pipeline", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder (created if needed; files in it are replaced atomically).")
@lang_option("Override [output] lang.", default=None)
def run(pipeline, out, lang):
    """Run a TOML pipeline: layers, GeoPackage with QGIS styles, GeoTIFF, provenance.

    Example: geoplan run pipelines/demo.toml --out out/demo
    """
    import dataclasses

    from ..config import load_pipeline

    cfg = load_pipeline(pipeline)
    if lang:
        cfg = dataclasses.replace(cfg, lang=lang)
    _run(cfg, out, "run")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"),
              show_default=True, help="Output folder.")
@lang_option()
def demo(out, lang):
    """Run geoplan on the embedded central-Helsinki OSM extract (no download).

    The same as `geoplan run pipelines/demo.toml`: population estimated from OSM buildings,
    100 m grid, every layer, GeoPackage with QGIS styles and a GeoTIFF.
    """
    import dataclasses

    from ..config import parse_pipeline
    from ..datasets import DEMO_PIPELINE

    cfg = dataclasses.replace(parse_pipeline(DEMO_PIPELINE, Path.cwd(), source="demo"), lang=lang)
    _run(cfg, out, "demo")
    click.echo((out / rf.quality_text(lang)).read_text(encoding="utf-8"))


@cli.command()
@click.option("--bbox", required=True, help="minlon,minlat,maxlon,maxlat (degrees, WGS 84).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .osm.pbf file to write.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              help="Cache folder (default $GEOPLAN_CACHE or ~/.cache/geoplan).")
def overpass(bbox, out, cache):
    """Download OSM data live from the Overpass API (the only command that uses the network).

    Example: geoplan overpass --bbox 13.02,55.57,13.06,55.59 --out rosengard.osm.pbf
    """
    from ..sources.area import parse_bbox
    from ..sources.overpass import download_osm

    path = download_osm(parse_bbox(bbox), out=out, cache_dir=cache)
    click.echo(f"written: {path} (© OpenStreetMap contributors, ODbL)")


for _module in (report, scenario, findings, many, project):  # each adds its commands to the group
    _module.register(cli)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning geoplan errors into a message and exit code 2.

    As the program (``argv`` None: the ``geoplan`` command, ``python -m geoplan.cli.main``)
    the process ends as soon as a command that closed everything it opened is done
    (:func:`~geoplan.cli.common.end_process`), and its garbage collector runs less often
    (:func:`~geoplan.cli.common.program_gc`); called with ``argv`` (tests, other programs) it
    returns the exit code and leaves the process's settings as they were.
    """
    if argv is not None:
        return run_group(cli, argv)
    with program_gc():
        code = run_group(cli, argv)
    return end_process(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
