"""The one way a module reports failure: `ModuleFailed` with a one-line reason."""

from __future__ import annotations

from tinyhops.errors import TinyHopsError

MAX_REASON_CHARS = 200


def one_line(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """`text` on one line (runs of whitespace, newlines included, become one space), cut to `limit` chars."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


class ModuleFailed(TinyHopsError):
    """A module produced no output; `reason` is one line, as the provider answers `JOB_FAILED:<reason>`."""

    def __init__(self, reason: str):
        self.reason = one_line(reason) or "module failed"
        super().__init__(self.reason)


def require_unicode(text: str, what: str) -> None:
    """Fail unless `text` is valid Unicode (JSON escapes such as "\\ud800" can smuggle in lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ModuleFailed(f"{what} is not valid Unicode (character {error.start})") from None
