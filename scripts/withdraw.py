"""`ape run withdraw`: see tinyhops.ape_commands."""

from tinyhops.ape_commands import withdraw_command

cli = withdraw_command()
