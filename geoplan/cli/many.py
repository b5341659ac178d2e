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
@click.option("--workers", default=2, show_default=True, help="local cluster workers")
def many(pipeline, areas, key, out, scheduler, workers):
    """Run PIPELINE for every area of AREAS on Dask and merge the grids."""
    import numpy as np

    from ..runs.many import run_many

    grid = run_many(pipeline, areas, key, scheduler=scheduler, n_workers=workers)
    g = grid.reset_index()
    for c in g.columns:
        if c != "geometry" and g[c].dtype.kind == "f":
            g[c] = g[c].where(np.isfinite(g[c]), np.nan)
    g.to_file(out, layer="grid", driver="GPKG")
    click.echo(f"{len(grid)} cells in {grid.attrs['n_areas']} areas -> {out}")


def register(cli: click.Group) -> None:
    """Add the ``many`` command to the ``geoplan`` command group."""
    cli.add_command(many)
