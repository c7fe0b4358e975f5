"""`ape run cat CID[/PATH] [-o FILE]`: list a stored directory, print a stored text file, or write a file to FILE."""

from tinyhops.cli.cat import cat as cli  # noqa: F401
