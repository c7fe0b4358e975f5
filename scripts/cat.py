"""`ape run cat CID [--out FILE]`: print stored text, or write stored binary content to a file."""

from tinyhops.cli.cat import cat as cli  # noqa: F401
