"""`ape run monitor`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import MONITOR, ape_run

cli = ape_run(MONITOR)
