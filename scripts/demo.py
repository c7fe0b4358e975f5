"""`ape run demo`: validate the sample workflow and show its normalized DAG and encoded size."""

from tinyhops.cli import demo as cli  # noqa: F401
