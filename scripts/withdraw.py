"""`ape run withdraw`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import WITHDRAW, ape_run

cli = ape_run(WITHDRAW)
