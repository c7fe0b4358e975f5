"""`ape run submit`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import SUBMIT, ape_run

cli = ape_run(SUBMIT)
