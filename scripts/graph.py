"""`ape run graph`: see tinyhops.ape_commands."""

from tinyhops.ape_commands import graph_command

cli = graph_command()
