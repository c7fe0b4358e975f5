"""`ape run submit`: see tinyhops.ape_commands."""

from tinyhops.ape_commands import submit_command

cli = submit_command()
