"""`ape run template [PATH]`: write a sample workflow (default sample.thops.json)."""

from tinyhops.cli.main import generate_template as cli  # noqa: F401
