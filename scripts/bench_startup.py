"""`ape run bench_startup`: start-up time of the offline tiny-hops commands, next to python and ape."""

import click

from tinyhops.bench.startup import run


@click.command()
@click.option("--repeats", default=5, show_default=True, help="Runs of each command; the best is printed.")
def cli(repeats: int) -> None:
    """Print how long `tiny-hops --help`, `validate` and `generate-template` take to start."""
    run(repeats, echo=click.echo)
