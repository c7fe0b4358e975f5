"""`ape run pause ID`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import PAUSE, ape_run

cli = ape_run(PAUSE)
