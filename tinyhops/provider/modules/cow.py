"""`cowsay:v0.0.1`: the cow (from the `cowsay` package) says the params, on stdout (or its `Message` input).

A CID (or CID/path) in the params whose stored content is text is replaced by that text (a result directory
reads as its stdout), so a cow can quote an earlier
step's output. Quoted text is drawn as is (no wrapping, indentation kept, like `cowsay -n`; several lines
start on a line of their own) so a quoted cow stays a readable cow; params without quoted content get the
package's own bubble.
"""

from __future__ import annotations

import re

import cowsay

from tinyhops.errors import ModuleFailed
from tinyhops.provider.modules.failure import require_unicode
from tinyhops.provider.modules.inputs import primary_text
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import ContentStore, expand_cids

NAME = "cowsay:v0.0.1"
MESSAGE = "Message"  # its one input, as Lilypad's cowsay template names it: `{"Message": ...}` says that text

# Control characters (other than newline) and Unicode line/paragraph separators would break the bubble.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str) -> str:
    """Newlines normalised to \\n, tabs expanded, other control characters turned into spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNPRINTABLE.sub(" ", "\n".join(line.expandtabs(8) for line in text.split("\n")))


def verbatim(text: str, character: str = "cow") -> str:
    """The cow saying `text` with its lines exactly as given, in the package's bubble style."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    width = max(len(line) for line in lines)
    out = ["  " + "_" * width]
    if len(lines) > 1:
        out.append(" /" + " " * width + "\\")
    out += ["| " + line + " " * (width - len(line) + 1) + "|" for line in lines]
    if len(lines) > 1:
        out.append(" \\" + " " * width + "/")
    out.append("  " + "=" * width)
    out += [" " * width + art for art in cowsay.CHARS[character].split("\n") if art]
    return "\n".join(out)


def run(params: str, store: ContentStore) -> JobResult:
    require_unicode(params, "cowsay: the params")
    expanded = expand_cids(primary_text(params, MESSAGE), store, blocks=True)
    text = clean(expanded.text)
    if not text.strip():
        raise ModuleFailed("cowsay has nothing to say: the params are empty")
    picture = verbatim(text) if expanded.cids else cowsay.get_output_string("cow", text)
    return JobResult(stdout=(picture + "\n").encode("utf-8"))
