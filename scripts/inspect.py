"""`ape run inspect FILE`: print a workflow's normalized DAG and encoded size."""

from tinyhops.cli import inspect as cli  # noqa: F401
