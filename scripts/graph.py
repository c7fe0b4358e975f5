"""`ape run graph`: declared in tinyhops.cli.commands."""

from tinyhops.cli.commands import GRAPH, ape_run

cli = ape_run(GRAPH)
