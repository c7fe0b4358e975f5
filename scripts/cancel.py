"""`ape run cancel ID`: see tinyhops.ape_commands."""

from tinyhops.ape_commands import control_command

cli = control_command("cancel")
