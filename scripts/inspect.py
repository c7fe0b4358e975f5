"""`ape run inspect FILE`: print a workflow's normalized DAG and encoded size."""

from tinyhops.cli.main import inspect as cli  # noqa: F401
