"""`tiny-hops put`, `cat` and `export` through the real command: CIDs as `ipfs add -r` prints them (the npm
importer as oracle), directories listed, binary never dumped nor left in the current folder, CARs that
@ipld/car reads, one-line errors and exit 1 for bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_processes import TINY_HOPS, child_env
from unixfs_oracle import Pattern, as_bytes_tree, oracle_car, oracle_cid

from tinyhops.cli.cat import extension_of
from tinyhops.provider import unixfs
from tinyhops.provider.store import ContentStore

HELLO_V1 = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
TREE = {
    "stdout": b"moo\n",
    "stderr": b"",
    "outputs": {"image.png": PNG, "big.bin": Pattern(unixfs.CHUNK_SIZE + 3), "empty": {}},
}


def write_tree(folder: Path, tree: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, sub in tree.items():
        if isinstance(sub, dict):
            write_tree(folder / name, sub)
        else:
            (folder / name).write_bytes(as_bytes_tree(sub))
    return folder


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = child_env(TINYHOPS_HOME=str(cwd / "home"))
    return subprocess.run([TINY_HOPS, *map(str, args)], cwd=cwd, env=env, capture_output=True, timeout=120)


def one_line_error(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 1 and done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("cid_version", ["0", "1"])
def test_put_prints_the_cid_ipfs_add_prints(tmp_path: Path, cid_version: str) -> None:
    folder = write_tree(tmp_path / "result", TREE)
    (folder / ".hidden").write_bytes(b"left out, as ipfs add -r leaves it")
    put = run("put", folder, "--cid-version", cid_version, cwd=tmp_path)
    assert put.returncode == 0, put.stderr
    assert put.stdout.decode() == oracle_cid(TREE, int(cid_version)) + "\n"
    single = run("put", folder / "stdout", "--cid-version", cid_version, cwd=tmp_path)
    assert single.returncode == 0 and single.stdout.decode() == oracle_cid(b"moo\n", int(cid_version)) + "\n"
    hello = tmp_path / "hello.txt"
    hello.write_bytes(b"hello world\n")
    known = {"0": "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "1": HELLO_V1}
    assert run("put", hello, "--cid-version", cid_version, cwd=tmp_path).stdout.decode() == known[cid_version] + "\n"


def test_put_of_a_bad_path_is_one_line_and_exit_1(tmp_path: Path) -> None:
    missing = one_line_error(run("put", "nowhere/at/all", cwd=tmp_path))
    assert missing == "error: nowhere/at/all: no such file or directory"
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    assert one_line_error(run("put", "link", cwd=tmp_path)) == "error: link: symbolic links are not added"
    bad_version = run("put", tmp_path, "--cid-version", "2", cwd=tmp_path)
    assert bad_version.returncode == 2 and "Invalid value for '--cid-version'" in bad_version.stderr.decode()


def test_cat_lists_directories_prints_text_and_writes_binary_only_where_asked(tmp_path: Path) -> None:
    root = run("put", write_tree(tmp_path / "result", TREE), cwd=tmp_path).stdout.decode().strip()
    listing = run("cat", root, cwd=tmp_path)
    assert listing.returncode == 0
    assert [line.split()[-1] for line in listing.stdout.decode().splitlines()] == ["outputs/", "stderr", "stdout"]
    outputs = run("cat", f"{root}/outputs/", cwd=tmp_path).stdout.decode().splitlines()
    assert [line.split()[-1] for line in outputs] == ["big.bin", "empty/", "image.png"]
    assert run("cat", f"{root}/stdout", cwd=tmp_path).stdout == b"moo\n"
    before = sorted(tmp_path.iterdir())
    refused = one_line_error(run("cat", f"{root}/outputs/image.png", cwd=tmp_path))
    assert refused == f"error: {root}/outputs/image.png is binary (png, 48 bytes): give -o FILE to write it"
    assert sorted(tmp_path.iterdir()) == before  # nothing written into the current folder
    written = run("cat", f"{root}/outputs/image.png", "-o", "picture.png", cwd=tmp_path)
    assert written.returncode == 0 and (tmp_path / "picture.png").read_bytes() == PNG
    piped = run("cat", f"{root}/outputs/big.bin", "-o", "-", cwd=tmp_path)
    assert piped.returncode == 0 and piped.stdout == Pattern(unixfs.CHUNK_SIZE + 3).data()


def test_cat_of_what_is_not_stored_is_one_line_and_exit_1(tmp_path: Path) -> None:
    root = run("put", write_tree(tmp_path / "result", TREE), cwd=tmp_path).stdout.decode().strip()
    absent = oracle_cid(b"never stored\n", 0)
    assert one_line_error(run("cat", absent, cwd=tmp_path)) == f"error: no content in the store for {absent}"
    assert "has no entry 'nope'" in one_line_error(run("cat", f"{root}/outputs/nope", cwd=tmp_path))
    assert "not a CIDv0" in one_line_error(run("cat", "not-a-cid", cwd=tmp_path))
    assert "is a directory" in one_line_error(run("cat", root, "-o", "x", cwd=tmp_path))


@pytest.mark.parametrize("cid_version", ["0", "1"])
def test_export_writes_a_car_that_ipld_car_reads(tmp_path: Path, cid_version: str) -> None:
    folder = write_tree(tmp_path / "result", TREE)
    root = run("put", folder, "--cid-version", cid_version, cwd=tmp_path).stdout.decode().strip()
    exported = run("export", root, "-o", "result.car", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    car = oracle_car(tmp_path / "result.car")
    store = ContentStore(tmp_path / "home" / "store")
    expected = {str(cid) for cid, _ in unixfs.blocks_of(store.resolve(root), store.get_block)}
    assert car["roots"] == [root] and car["blocks"][0] == root and set(car["blocks"]) == expected
    # the root, outputs/, stdout, stderr, image.png, big.bin's parent and its 2 chunks, empty/
    assert len(car["blocks"]) == len(expected) == 9
    part = run("export", f"{root}/outputs/image.png", "-o", "image.car", cwd=tmp_path)
    assert part.returncode == 0 and oracle_car(tmp_path / "image.car")["roots"] == [oracle_cid(PNG, int(cid_version))]


def test_export_of_what_is_not_stored_is_one_line_and_exit_1(tmp_path: Path) -> None:
    absent = oracle_cid(b"never stored\n", 0)
    assert one_line_error(run("export", absent, "-o", "x.car", cwd=tmp_path)) == (
        f"error: no content in the store for {absent}"
    )
    assert not (tmp_path / "x.car").exists()


@pytest.mark.parametrize(
    ("data", "extension"),
    [(PNG, "png"), (b"\xff\xd8\xff\xe0rest", "jpg"), (b"\x00asm\x01\x00\x00\x00", "wasm"), (b"hello\n", "txt")],
)
def test_extension_is_sniffed_from_content(data: bytes, extension: str) -> None:
    assert extension_of(data) == extension
