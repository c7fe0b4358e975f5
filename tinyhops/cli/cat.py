"""`tiny-hops cat CID [--out FILE]` (and `ape run cat`): show what the local provider stored under a CID.

Text is printed; anything else is written to a file (`--out`, default `<CID>.<ext>` with the extension
sniffed from the content), never dumped to the terminal.
"""

from __future__ import annotations

from pathlib import Path

import click

from tinyhops.cli.reporting import reports_errors
from tinyhops.paths import state_dir
from tinyhops.provider.store import ContentStore, as_text

# Leading bytes of the binary formats the modules produce or a user may store, and their extension.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x00asm", "wasm"),
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gz"),
)


def extension_of(data: bytes) -> str:
    """The file extension `data` looks like: png, jpg, ... for known formats, txt for text, else bin."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for magic, extension in MAGIC:
        if data.startswith(magic):
            return extension
    return "txt" if as_text(data) is not None else "bin"


@click.command("cat")
@click.argument("cid")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the content to FILE (binary content goes to <CID>.<ext> by default).",
)
@reports_errors
def cat(cid: str, out: Path | None) -> None:
    """Print the text stored under CID in the provider's store, or write binary content to a file."""
    data = ContentStore(state_dir() / "store").get(cid.strip())
    text = as_text(data)
    if out is None and text is not None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    extension = extension_of(data)
    path = out or Path(f"{cid.strip()}.{extension}")
    path.write_bytes(data)
    click.echo(f"wrote {len(data):,} bytes ({extension}) to {path}")
