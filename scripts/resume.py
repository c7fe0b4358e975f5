"""`ape run resume ID`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import RESUME, ape_run

cli = ape_run(RESUME)
