"""The content store: round trips, typed errors, corruption checks and CID expansion in params."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyhops.errors import NotInDirectory, TinyHopsError
from tinyhops.provider.cids import cid_of
from tinyhops.provider.store import (
    CID_PATTERN,
    ContentCorrupt,
    ContentNotFound,
    ContentStore,
    InvalidCid,
    as_text,
    expand_cids,
    looks_like_cid,
    stored_cids,
)

ABSENT = cid_of(b"never stored anywhere")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ContentStore:
    return ContentStore(tmp_path_factory.mktemp("store"))


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=4096))
def test_put_get_round_trip(store: ContentStore, data: bytes) -> None:
    cid = store.put(data)
    assert cid == cid_of(data)
    assert len(cid) == 59 and CID_PATTERN.fullmatch(cid)
    assert store.has(cid)
    assert store.get(cid) == data
    assert store.path_of(cid).read_bytes() == data
    assert store.path_of(cid).is_relative_to(store.root)
    assert store.put(data) == cid  # idempotent
    assert store.get(cid) == data


def test_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    cids = {store.put(bytes([i]) * i) for i in range(20)}
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == sorted(cids)


def test_root_may_be_a_string(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path))  # type: ignore[arg-type]
    assert store.root == tmp_path
    assert store.get(store.put(b"x")) == b"x"


def test_missing_content_is_a_typed_error(store: ContentStore) -> None:
    assert not store.has(ABSENT)
    with pytest.raises(ContentNotFound) as caught:
        store.get(ABSENT)
    assert isinstance(caught.value, TinyHopsError)
    assert caught.value.cid == ABSENT
    assert ABSENT in caught.value.one_line()


@given(text=st.text(max_size=80))
def test_strings_that_are_not_cids_are_never_found(store: ContentStore, text: str) -> None:
    if looks_like_cid(text):
        return
    assert not store.has(text)
    with pytest.raises(ContentNotFound):
        store.get(text)
    with pytest.raises(InvalidCid):
        store.path_of(text)


def test_corrupted_content_is_detected_and_put_repairs_it(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    cid = store.put(b"the original")
    store.path_of(cid).write_bytes(b"tampered")
    with pytest.raises(ContentCorrupt) as caught:
        store.get(cid)
    assert caught.value.actual == cid_of(b"tampered")
    assert store.put(b"the original") == cid
    assert store.get(cid) == b"the original"


def test_as_text_accepts_utf8_text_only() -> None:
    assert as_text("héllo\n\tworld\r\n".encode()) == "héllo\n\tworld\r\n"
    assert as_text(b"\x89PNG\r\n\x1a\n") is None
    assert as_text(b"nul\x00inside") is None
    assert as_text(b"\xff\xfe") is None


def test_expand_replaces_stored_text_only(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    text_cid = store.put(b"a stored sentence")
    binary_cid = store.put(b"\x00\x01\x02")
    params = f"say {text_cid} and {binary_cid} and {ABSENT} and again {text_cid}"
    expanded = expand_cids(params, store)
    assert expanded.text == f"say a stored sentence and {binary_cid} and {ABSENT} and again a stored sentence"
    assert expanded.cids == (text_cid,)
    assert stored_cids(params, store) == [text_cid, binary_cid]


def test_expand_ignores_cids_glued_to_other_characters(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    cid = store.put(b"x")
    for glued in (f"a{cid}", f"{cid}2", f"B{cid}"):
        assert expand_cids(glued, store).text == glued
    for separated in (f"({cid})", f'"{cid}"', f"{cid}.", f"-{cid}-"):
        assert expand_cids(separated, store).text == separated.replace(cid, "x")


def test_expand_leaves_large_content_as_its_cid(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    cid = store.put(b"y" * 100)
    assert expand_cids(cid, store, max_bytes=99).text == cid
    assert expand_cids(cid, store, max_bytes=100).text == "y" * 100


def test_expand_blocks_puts_multiline_content_on_lines_of_its_own(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    block = store.put(b"line one\nline two\n")
    single = store.put(b"one line")
    expected = "before \nline one\nline two\n after"
    assert expand_cids(f"before {block} after", store, blocks=True).text == expected
    assert expand_cids(f"{block}", store, blocks=True).text == "line one\nline two"
    assert expand_cids(f"head:\n{block}\ntail", store, blocks=True).text == "head:\nline one\nline two\ntail"
    assert expand_cids(f"a {single} b", store, blocks=True).text == "a one line b"


@given(text=st.text(max_size=200))
def test_expand_without_stored_cids_changes_nothing(store: ContentStore, text: str) -> None:
    assert expand_cids(text, store).text == text
    assert expand_cids(text, store, blocks=True).text == text


def test_directories_resolve_paths_in_either_cid_version(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    tree = {"stdout": b"said", "stderr": b"", "outputs": {"a.txt": b"an output"}}
    v0, v1 = store.put_tree(tree, cid_version=0), store.put_tree(tree, cid_version=1)
    assert v0.startswith("Qm") and v1.startswith("bafybei") and looks_like_cid(v0) and looks_like_cid(v1)
    for root in (v0, v1):
        assert store.is_directory(root) and store.get(f"{root}/outputs/a.txt") == b"an output"
        assert store.get_input(root) == b"said"  # a result directory reads as its stdout
        assert [entry.name for entry in store.list(f"{root}/outputs")] == ["a.txt"]
    with pytest.raises(NotInDirectory, match="is a directory"):
        store.get(v0)
    with pytest.raises(NotInDirectory, match="no entry 'b.txt'"):
        store.get(f"{v0}/outputs/b.txt")
    assert expand_cids(f"{v0}: {v1}/outputs/a.txt", store).text == "said: an output"


def test_a_tampered_directory_block_is_detected(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    root = store.put_tree({"stdout": b"x"})
    store.path_of(root).write_bytes(b"tampered")
    with pytest.raises(ContentCorrupt):
        store.list(root)
    assert not store.has(root)
