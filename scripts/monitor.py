"""`ape run monitor`: see tinyhops.ape_commands."""

from tinyhops.ape_commands import monitor_command

cli = monitor_command()
