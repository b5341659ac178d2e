"""``geoplan many PIPELINE.toml AREAS --key COL --out F.gpkg``: many areas on Dask.

The computation is :func:`geoplan.runs.many.run_many`; this module only reads the options,
writes the merged grid and says what it wrote. :mod:`geoplan.cli.main` adds it with
:func:`register`.

Example
-------
>>> import click
>>> group = click.Group("geoplan")
>>> register(group)
>>> sorted(group.commands)
['many']
"""

from __future__ import annotations

import click

__all__ = ["register"]


@click.command("many")
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False))
@click.argument("areas", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", required=True, help="column naming each area")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="GeoPackage to write (layer 'grid')")
@click.option("--scheduler", default=None, help="address of an existing Dask scheduler")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="local cluster workers")
def many(pipeline, areas, key, out, scheduler, workers):
    """Run PIPELINE for every area of AREAS on Dask and merge the grids."""
    from ..atomic import check_not_inputs
    from ..outputs.gpkg import write_gpkg
    from ..runs.many import run_many
    from ..runs.pipeline import finite_or_null

    check_not_inputs([out], [pipeline, areas])
    grid = run_many(pipeline, areas, key, scheduler=scheduler, n_workers=workers)
    # written atomically: a kill or a full disk leaves the previous file whole
    write_gpkg(out, {"grid": finite_or_null(grid.reset_index())})
    for k, msg in grid.attrs.get("failed", {}).items():
        click.echo(f"area {k} failed: {msg}", err=True)
    n_ok = grid.attrs["n_areas"] - len(grid.attrs.get("failed", {}))
    click.echo(f"{len(grid)} cells in {n_ok} of {grid.attrs['n_areas']} areas -> {out}")


def register(cli: click.Group) -> None:
    """Add the ``many`` command to the ``geoplan`` command group."""
    cli.add_command(many)
