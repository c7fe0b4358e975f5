"""`ape run validate FILE...`: validate workflow files, exit 1 if any is invalid."""

from tinyhops.cli.main import validate as cli  # noqa: F401
