"""UnixFS CIDs as `ipfs add -r` computes them: known values, and the npm importer (kubo's defaults) as oracle."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unixfs_oracle import Pattern, as_bytes_tree, oracle_cid

from tinyhops.provider.unixfs import CHUNK_SIZE, MAX_LINKS, Importer, UnixFsError, blocks_of, read_file, resolve


class Blocks(dict):
    def put(self, cid, block: bytes) -> None:
        self[bytes(cid)] = block

    def get_block(self, cid) -> bytes:
        return self[bytes(cid)]


def add(tree, cid_version: int) -> tuple[str, Blocks]:
    blocks = Blocks()
    return str(Importer(blocks.put, cid_version).tree(as_bytes_tree(tree)).cid), blocks


@pytest.mark.parametrize(
    ("cid_version", "expected"),
    [
        (0, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"),
        (1, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
    ],
)
def test_hello_world_has_its_known_cid(cid_version: int, expected: str) -> None:
    assert add(b"hello world\n", cid_version)[0] == expected


def test_empty_file_and_folder_have_their_known_cids() -> None:
    assert add(b"", 0)[0] == "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
    assert add({}, 0)[0] == "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"


NESTED = {
    "stdout": b"moo\n",
    "stderr": b"",
    "outputs": {"image.png": Pattern(CHUNK_SIZE + 7), "B": {"deep.txt": b"deep"}, "a": {}},
}
CASES = {
    "small file": b"a small file\n",
    "file of several chunks": Pattern(3 * CHUNK_SIZE + 1),
    "file of exactly one chunk": Pattern(CHUNK_SIZE),
    "empty file": b"",
    "empty folder": {},
    "nested folder": NESTED,
}


@pytest.mark.parametrize("cid_version", [0, 1])
@pytest.mark.parametrize("name", list(CASES))
def test_cids_equal_the_npm_importers(name: str, cid_version: int) -> None:
    assert add(CASES[name], cid_version)[0] == oracle_cid(CASES[name], cid_version)


@pytest.mark.parametrize("cid_version", [0, 1])
def test_a_file_of_more_than_174_chunks_is_a_tree_of_depth_two(cid_version: int) -> None:
    tree = Pattern((MAX_LINKS + 1) * CHUNK_SIZE + 1)
    cid, blocks = add(tree, cid_version)
    assert cid == oracle_cid(tree, cid_version)
    assert len(blocks) == MAX_LINKS + 2 + 3  # 176 leaves, 2 parents, the root


def test_files_read_back_and_paths_resolve() -> None:
    blocks = Blocks()
    root = Importer(blocks.put, 0).tree(as_bytes_tree(NESTED)).cid
    image = resolve(root, "outputs/image.png", blocks.get_block)
    assert read_file(image, blocks.get_block) == Pattern(CHUNK_SIZE + 7).data()
    assert read_file(resolve(root, "/outputs/B/deep.txt", blocks.get_block), blocks.get_block) == b"deep"
    assert {bytes(cid) for cid, _ in blocks_of(root, blocks.get_block)} == set(blocks)
    with pytest.raises(UnixFsError, match="no entry 'nope'"):
        resolve(root, "outputs/nope", blocks.get_block)
    with pytest.raises(UnixFsError, match="is a directory"):
        read_file(resolve(root, "outputs", blocks.get_block), blocks.get_block)


NAMES = st.sampled_from(["a", "B", "b", "a.txt", "a b", "é", "stdout", "z9", "Ab", "aa"])
FILES = st.one_of(st.binary(max_size=64), st.sampled_from([Pattern(CHUNK_SIZE + 1), Pattern(2 * CHUNK_SIZE)]))
TREES = st.recursive(FILES, lambda children: st.dictionaries(NAMES, children, max_size=4), max_leaves=8)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=st.dictionaries(NAMES, TREES, max_size=4), cid_version=st.sampled_from([0, 1]))
def test_random_trees_equal_the_npm_importers(tree: dict, cid_version: int) -> None:
    assert add(tree, cid_version)[0] == oracle_cid(tree, cid_version)
