"""`tiny-hops cat`: text printed, binary written to <CID>.<sniffed ext>, a missing CID is exit 1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tinyhops.cli.cat import cat, extension_of
from tinyhops.cli.main import main
from tinyhops.provider.store import ContentStore

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYHOPS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return ContentStore(tmp_path / "home" / "store")


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0rest", "jpg"),
        (b"GIF89a...", "gif"),
        (b"\x00asm\x01\x00\x00\x00", "wasm"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"hello\n", "txt"),
        (b"\x00\x01\x02", "bin"),
    ],
)
def test_extension_is_sniffed_from_content(data, extension):
    assert extension_of(data) == extension


def test_text_is_printed_as_stored(store):
    cid = store.put(b" _____\n< moo >\n -----\n")
    result = CliRunner().invoke(main, ["cat", cid])
    assert result.exit_code == 0 and result.output == " _____\n< moo >\n -----\n"


def test_binary_goes_to_cid_dot_extension_never_to_the_terminal(store, tmp_path):
    cid = store.put(PNG)
    result = CliRunner().invoke(cat, [cid])
    assert result.exit_code == 0
    assert (tmp_path / f"{cid}.png").read_bytes() == PNG
    assert "\x89" not in result.output and f"to {cid}.png" in result.output


def test_out_names_the_file(store, tmp_path):
    cid = store.put(PNG)
    assert CliRunner().invoke(cat, [cid, "--out", "picture.png"]).exit_code == 0
    assert (tmp_path / "picture.png").read_bytes() == PNG


@pytest.mark.parametrize("cid", ["bafkreiech7ynhcnhtm7asymipyvcqcdo7h62r7uc7shxwxu27qv7fcsy5i", "not-a-cid"])
def test_missing_content_is_one_line_and_exit_1(store, cid):
    result = CliRunner().invoke(cat, [cid])
    assert result.exit_code == 1
    assert result.output == f"error: no content in the store for {cid}\n"
