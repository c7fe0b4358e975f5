"""`tiny-hops cat CID[/path] [-o FILE]` (and `ape run cat`): show what the local store holds under a reference.

A directory (a job's result: `stdout`, `stderr`, `outputs/`) is listed, one entry a line; text is printed;
other content is written only where asked (`-o FILE`, or `-o -` for standard output), never dumped to the
terminal nor left in the current folder unasked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tinyhops.cli.reporting import reports_errors
from tinyhops.errors import TinyHopsError

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
    from tinyhops.provider.store import as_text

    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for magic, extension in MAGIC:
        if data.startswith(magic):
            return extension
    return "txt" if as_text(data) is not None else "bin"


def local_store():
    """The local provider's content store (under TINYHOPS_HOME)."""
    from tinyhops.paths import state_dir
    from tinyhops.provider.store import ContentStore

    return ContentStore(state_dir() / "store")


@click.command("cat")
@click.argument("reference", metavar="CID[/PATH]")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the file's bytes to FILE ('-' for standard output) instead of printing text.",
)
@reports_errors
def cat(reference: str, out: Path | None) -> None:
    """List the directory or print the text file that CID[/PATH] names in the local store."""
    from tinyhops.provider import unixfs
    from tinyhops.provider.store import as_text

    store = local_store()
    reference = reference.strip().rstrip("/")
    if store.is_directory(reference):
        if out is not None:
            raise TinyHopsError(f"{reference} is a directory: -o writes files (use `tiny-hops export` for a CAR)")
        for entry in store.list(reference):
            suffix = "/" if unixfs.is_directory(entry.cid, store.get_block) else ""
            click.echo(f"{entry.cid} {entry.tsize:>12,} {entry.name}{suffix}")
        return
    data = store.get(reference)
    if out is not None and str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    if out is not None:
        out.write_bytes(data)
        click.echo(f"wrote {len(data):,} bytes ({extension_of(data)}) to {out}")
        return
    text = as_text(data)
    if text is None:
        raise TinyHopsError(
            f"{reference} is binary ({extension_of(data)}, {len(data):,} bytes): give -o FILE to write it"
        )
    click.echo(text, nl=not text.endswith("\n"))
