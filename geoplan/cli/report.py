"""``geoplan report OUT [--lang sv|da|en]``: maps, PDF report and tables of a finished run.

Registered on the ``geoplan`` command group by :func:`register` (``cli.py`` calls it), so this
module adds a command without editing the group.

Example
-------
>>> import click
>>> from click.testing import CliRunner
>>> group = click.Group("geoplan")
>>> register(group)
>>> CliRunner().invoke(group, ["report", "--help"]).output.splitlines()[0]
'Usage: geoplan report [OPTIONS] OUT'
"""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import LANGUAGES

__all__ = ["register"]


@click.command("report")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="Language of the report (default: the pipeline's [output] lang).")
@click.option("--dpi", type=click.IntRange(50, 600), default=200, show_default=True,
              help="Resolution of the PNG maps (also embedded in the PDF).")
@click.option("--atlas", is_flag=True,
              help="Also write atlas.pdf: one page per area of the run's [areas] (map, key "
                   "numbers, comparison with the whole study area).")
@click.option("--author", default=None, metavar="TEXT",
              help="Author or organisation in the PDFs' metadata (default: the pipeline's "
                   "[report] author, else geoplan), e.g. \"Malmö stad, Stadsbyggnadskontoret\".")
def report_command(out: Path, lang: str | None, dpi: int, atlas: bool,
                   author: str | None) -> None:
    """Write maps, a PDF report and tables of the run in OUT into OUT/report/.

    In another language than the run's, they go into OUT/report_<lang>/ (e.g. report_da/),
    so the run's own report stays beside it.

    OUT is a folder `geoplan run` or `geoplan demo` wrote. Nothing is downloaded: the maps draw
    the run's own network and green spaces.

    With --atlas, also OUT/report/atlas.pdf: one page per area of the run's [areas].

    Example: geoplan report out/demo --lang sv --atlas
    """
    from ..outputs.atlas import write_atlas
    from ..outputs.report import write_report
    from .common import TqdmProgress

    bar = TqdmProgress("report")
    try:
        result = write_report(out, lang=lang, dpi=dpi, progress=bar, author=author,
                              atlas=write_atlas if atlas else None)
    finally:
        bar.close()
    click.echo(f"written: {result.pdf} ({result.pages} pages)")
    click.echo(f"written: {len(result.maps)} maps (PNG and PDF) in {result.pdf.parent / 'maps'}")
    for f in result.tables:
        click.echo(f"written: {f}")
    if result.atlas is not None:
        click.echo(f"written: {result.atlas} (one page per area)")
    click.echo("Map data © OpenStreetMap contributors (ODbL).")


def register(cli: click.Group) -> None:
    """Add the ``report`` command to the ``geoplan`` command group.

    Parameters
    ----------
    cli
        The group (``geoplan.cli.main.cli``).
    """
    cli.add_command(report_command)
