"""`ape run bench_spec`: time validate + normalize + encode for 100, 1,000 and 10,000-step workflows."""

import click

from tinyhops.bench.spec import run


@click.command()
def cli() -> None:
    """Print the time validate + normalize + encode takes at 100, 1,000 and 10,000 steps."""
    run(echo=click.echo)
