"""`ape run runner [ID...]`: declared in tinyhops.cli.commands (the sidecar runner of runner-mode workflows)."""

from tinyhops.cli.commands import RUNNER, ape_run

cli = ape_run(RUNNER)
