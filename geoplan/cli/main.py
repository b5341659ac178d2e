"""The ``geoplan`` command line. Bad input prints one clear message and exits with code 2."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import Cancelled, GeoplanError
from ..i18n import LANGUAGES

__all__ = ["main"]


class TqdmProgress:
    """geoplan's progress protocol on a tqdm bar (stderr; hidden when stderr is not a terminal)."""

    def __init__(self, desc: str = "geoplan") -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=1000, desc=desc, unit="‰", file=sys.stderr, disable=None,
                         bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}")
        self._last = 0

    def report(self, fraction: float, message: str = "") -> None:
        n = int(round(1000 * min(max(fraction, 0.0), 1.0)))
        if n > self._last:
            self._bar.update(n - self._last)
            self._last = n
        if message:
            self._bar.set_description_str(message[:60], refresh=False)

    def is_cancelled(self) -> bool:
        return False  # Ctrl+C raises KeyboardInterrupt, handled in main()

    def close(self) -> None:
        self._bar.close()


def _area_arg(area: str | None, bbox: str | None):
    from ..sources.area import parse_bbox

    if area and bbox:
        raise click.UsageError("give either --area or --bbox, not both")
    return parse_bbox(bbox) if bbox else area


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
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the summary as JSON to this file.")
def inspect(osm_file, area, bbox, crs, lamps_file, lamps_crs, lamps_mode, lang, as_json, out):
    """Print a data-quality summary of an OSM extract (.osm.pbf, .osm, .osm.bz2).

    Example: geoplan inspect Helsinki.osm.pbf --bbox 24.935,60.164,24.953,60.179 --lang sv
    """
    from ..atomic import write_text
    from ..inspect import inspect_osm

    bar = TqdmProgress("inspect")
    try:
        s = inspect_osm(osm_file, area=_area_arg(area, bbox), crs=crs, lamps_file=lamps_file,
                        lamps_crs=lamps_crs, lamps_mode=lamps_mode, progress=bar)
    finally:
        bar.close()
    if out is not None:
        write_text(out, s.to_json() + "\n")
    click.echo(s.to_json() if as_json else s.to_text(lang))


def _run(cfg, out: Path, label: str) -> None:
    from ..runs.pipeline import run_pipeline

    bar = TqdmProgress(label)
    try:
        result = run_pipeline(cfg, out, progress=bar)
    finally:
        bar.close()
    m = result.layers.meta
    click.echo(
        f"{cfg.title}: {m['cells']} cells of {cfg.grid.cell_size_m:g} m, "
        f"{m['pop_total']:,.0f} residents ({m['pop_source']}), CRS {m['crs']}"
    )
    for f in result.files:
        click.echo(f"written: {f}")
    click.echo("Map data © OpenStreetMap contributors (ODbL).")


@cli.command()
@click.argument("pipeline", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder (created if needed; files in it are replaced atomically).")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Override [output] lang.")
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
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
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
    click.echo((out / f"data_quality_{lang}.txt").read_text(encoding="utf-8"))


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


def _register_subcommands() -> None:
    """Commands that live beside their feature (report, scenario, safety walks, many areas)."""
    from ..runs.many import register as register_many
    from .findings import register as register_findings
    from .report import register as register_report
    from .scenario import register as register_scenario

    register_report(cli)
    register_scenario(cli)
    register_findings(cli)
    register_many(cli)


_register_subcommands()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning geoplan errors into a message and exit code 2."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="geoplan", standalone_mode=False)
    except GeoplanError as exc:
        click.echo(f"geoplan: error: {exc}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("geoplan: cancelled", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except (Cancelled, KeyboardInterrupt):
        click.echo("geoplan: cancelled", err=True)
        return 130
    except Exception as exc:  # a bug, not bad input: say so briefly, full trace with --debug
        if debug or os.environ.get("GEOPLAN_DEBUG"):
            raise
        click.echo(
            f"geoplan: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in geoplan, not in your input. Rerun with --debug and report the output.",
            err=True,
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
