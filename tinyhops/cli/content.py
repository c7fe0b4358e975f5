"""`tiny-hops put PATH` and `tiny-hops export CID -o out.car`: content into and out of the local store.

`put` stores a file or a folder as `ipfs add -r` would (kubo's defaults: CIDv0, 256 KiB chunks, balanced
trees of 174 links; `--cid-version 1` for CIDv1 with raw leaves; hidden entries left out) and prints the
same CID. `export` writes the DAG under a reference as a CARv1 file, which `ipfs dag import` takes.
"""

from __future__ import annotations

from pathlib import Path

import click

from tinyhops.cli.cat import local_store
from tinyhops.cli.reporting import reports_errors
from tinyhops.errors import TinyHopsError


@click.command("put")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--cid-version",
    type=click.Choice(["0", "1"]),
    default="0",
    show_default=True,
    help="0: CIDv0 (Qm…), as `ipfs add -r`; 1: CIDv1 with raw leaves, as `ipfs add -r --cid-version=1`.",
)
@reports_errors
def put(path: Path, cid_version: str) -> None:
    """Store the file or folder PATH in the local store and print its CID."""
    if not path.exists() and not path.is_symlink():
        raise TinyHopsError(f"{path}: no such file or directory")
    click.echo(local_store().put_path(path, int(cid_version)))


@click.command("export")
@click.argument("reference", metavar="CID[/PATH]")
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The CAR file to write.",
)
@reports_errors
def export(reference: str, out: Path) -> None:
    """Write the DAG under CID[/PATH] in the local store to a CARv1 file (root: that CID)."""
    import ipld_car

    from tinyhops.provider import unixfs

    store = local_store()
    root = store.resolve(reference.strip().rstrip("/"))
    blocks = list(unixfs.blocks_of(root, store.get_block))
    out.write_bytes(bytes(ipld_car.encode([root], blocks)))
    click.echo(f"wrote {root} ({len(blocks)} blocks, {out.stat().st_size:,} bytes) to {out}")
