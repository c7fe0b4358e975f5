"""`ape run cancel ID`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import CANCEL, ape_run

cli = ape_run(CANCEL)
