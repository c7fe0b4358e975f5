"""`ape run redrive ID [--deposit N]`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import REDRIVE, ape_run

cli = ape_run(REDRIVE)
