"""The provider's cursor file: atomic replace, per-Lilypad, and unreadable files reported as such."""

from __future__ import annotations

import json

import pytest

from tinyhops.errors import CursorUnreadable
from tinyhops.provider.cursor import Cursor, cursor_path, load_cursor, save_cursor

LILYPAD = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
OTHER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


def test_missing_file_starts_at_the_deployment_block(tmp_path):
    assert load_cursor(tmp_path / "c.json", LILYPAD, 7) == Cursor(LILYPAD, 7, 0)


def test_round_trip_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "state" / "c.json"
    save_cursor(path, Cursor(LILYPAD, 12, 5))
    save_cursor(path, Cursor(LILYPAD, 14, 6))
    assert load_cursor(path, LILYPAD.lower(), 0) == Cursor(LILYPAD, 14, 6)
    assert [p.name for p in path.parent.iterdir()] == ["c.json"]


def test_a_cursor_for_another_lilypad_is_ignored(tmp_path):
    path = tmp_path / "c.json"
    save_cursor(path, Cursor(OTHER, 99, 40))
    assert load_cursor(path, LILYPAD, 3) == Cursor(LILYPAD, 3, 0)


@pytest.mark.parametrize("text", ["", "{", "[]", '{"lilypad": "0x1"}', '{"lilypad": 1, "block": "x", "last_job": 0}'])
def test_a_file_that_is_not_a_cursor_is_reported(tmp_path, text):
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(CursorUnreadable, match="is not a provider cursor"):
        load_cursor(path, LILYPAD, 0)


def test_a_failed_write_keeps_the_old_cursor(tmp_path, monkeypatch):
    path = tmp_path / "c.json"
    save_cursor(path, Cursor(LILYPAD, 5, 2))

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("tinyhops.atomic_file.os.replace", fail)
    with pytest.raises(OSError):
        save_cursor(path, Cursor(LILYPAD, 9, 3))
    assert json.loads(path.read_text()) == {"lilypad": LILYPAD, "block": 5, "last_job": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_cursor_path_is_per_chain_under_tinyhops_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYHOPS_HOME", str(tmp_path))
    assert cursor_path(31337) == tmp_path / "provider-31337.json"
