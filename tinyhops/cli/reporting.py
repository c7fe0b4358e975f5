"""The one place that turns errors into what a user reads: one line on stderr, exit code 1, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click

from tinyhops.errors import CatalogEntryInvalid, TinyHopsError, WorkflowInvalid

F = TypeVar("F", bound=Callable[..., Any])


def describe(exc: BaseException) -> list[str]:
    """Lines that say what went wrong; a revert is named by its custom error, as Ape decoded it."""
    if isinstance(exc, WorkflowInvalid | CatalogEntryInvalid):
        return exc.lines()
    if isinstance(exc, TinyHopsError):
        return [exc.one_line()]
    from ape.exceptions import ApeException, ContractLogicError

    name = type(exc).__name__
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, ContractLogicError):
        # Ape turns a custom error into an exception class of the same name, its arguments into the message.
        return [f"the contract refused: {name}({message})" if name != "ContractLogicError" else f"reverted: {message}"]
    if isinstance(exc, ApeException):
        return [f"{name}: {message}" if message else name]
    raise exc


def report(exc: BaseException) -> NoReturn:
    """Print `exc` as its one-line error(s) on stderr and exit 1 (re-raises what describe() does not know)."""
    for line in describe(exc):
        click.echo(f"error: {line}", err=True)
    sys.exit(1)


def reports_errors(command: F) -> F:
    """Decorator for commands: known errors become one line each on stderr and exit code 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 - describe() re-raises what it does not know
            report(exc)

    return wrapper  # type: ignore[return-value]
