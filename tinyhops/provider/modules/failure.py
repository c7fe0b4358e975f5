"""The one way a module reports failure: `ModuleFailed` with a one-line reason."""

from __future__ import annotations

from tinyhops.errors import MAX_REASON_CHARS, ModuleFailed, one_line

__all__ = ["MAX_REASON_CHARS", "ModuleFailed", "one_line", "require_unicode"]


def require_unicode(text: str, what: str) -> None:
    """Fail unless `text` is valid Unicode (JSON escapes such as "\\ud800" can smuggle in lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ModuleFailed(f"{what} is not valid Unicode (character {error.start})") from None
