"""The bounds on what tradegap accepts (tradegap.bounds): the money ceiling, the input-size
limit and its environment variable, and what a path that is not a regular file is called."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest

from tradegap.bounds import (
    MAX_USD,
    kind_of,
    max_input_bytes,
    money_ok,
    read_bounded,
    require_regular,
)
from tradegap.errors import InputError


def test_money_ceiling_is_about_world_gdp() -> None:
    assert MAX_USD == 1.2e14
    assert money_ok(1.2e14) and money_ok(-1.2e14) and money_ok(0.0)
    assert not money_ok(1.2e14 * (1 + 1e-9))
    assert not money_ok(float("nan")) and not money_ok(float("inf"))


def test_input_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRADEGAP_MAX_INPUT_MB", raising=False)
    assert max_input_bytes() == 256_000_000
    monkeypatch.setenv("TRADEGAP_MAX_INPUT_MB", " ")
    assert max_input_bytes() == 256_000_000
    monkeypatch.setenv("TRADEGAP_MAX_INPUT_MB", "2.5")
    assert max_input_bytes() == 2_500_000


@pytest.mark.parametrize(("raw", "reason"), [
    ("lots", "$TRADEGAP_MAX_INPUT_MB is 'lots', not a number of megabytes"),
    ("0", "$TRADEGAP_MAX_INPUT_MB is '0'; it must be a positive number"),
    ("-5", "$TRADEGAP_MAX_INPUT_MB is '-5'; it must be a positive number"),
    ("inf", "$TRADEGAP_MAX_INPUT_MB is 'inf'; it must be a positive number"),
])
def test_bad_input_limit_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str,
                                    reason: str) -> None:
    monkeypatch.setenv("TRADEGAP_MAX_INPUT_MB", raw)
    with pytest.raises(InputError) as exc:
        max_input_bytes()
    assert (exc.value.field, exc.value.reason) == ("TRADEGAP_MAX_INPUT_MB", reason)
    assert exc.value.hint == "e.g. TRADEGAP_MAX_INPUT_MB=1024"


def test_kinds_of_file_in_words() -> None:
    assert kind_of(stat.S_IFDIR) == "a directory"
    assert kind_of(stat.S_IFIFO) == "a FIFO (named pipe)"
    assert kind_of(stat.S_IFCHR) == "a character device"
    assert kind_of(stat.S_IFBLK) == "a block device"
    assert kind_of(stat.S_IFSOCK) == "a socket"
    assert kind_of(0) == "not a regular file"


def test_device_and_socket_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        require_regular("/dev/null", "a scenario TOML", field="--scenario")
    assert exc.value.reason == ("this is a character device, not a file (expected a scenario "
                                "TOML)")
    assert (exc.value.file, exc.value.field) == ("/dev/null", "--scenario")
    assert exc.value.hint == "pass a scenario TOML (a regular file)"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.toml"))
        with pytest.raises(InputError, match="this is a socket, not a file"):
            require_regular(tmp_path / "s.toml", "a scenario TOML")
    finally:
        sock.close()


def test_missing_and_unreachable_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        require_regular(tmp_path / "none.csv", "a candidates table")
    assert exc.value.reason == "file not found (expected a candidates table)"
    assert exc.value.hint.startswith("check the path; relative paths are read from")
    plain = tmp_path / "plain.csv"
    plain.write_text("a\n")
    with pytest.raises(InputError) as exc:
        require_regular(plain / "inner.csv", "a candidates table")  # a file is no directory
    assert exc.value.reason == "cannot read it: Not a directory (expected a candidates table)"
    assert exc.value.file == str(plain / "inner.csv")


def test_file_that_grows_past_the_limit_while_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A /proc file says it has 0 bytes but reads as more than the 100-byte limit."""
    monkeypatch.setenv("TRADEGAP_MAX_INPUT_MB", "0.0001")
    with pytest.raises(InputError) as exc:
        read_bounded("/proc/self/status", "a mapping", field="mapping")
    assert exc.value.reason == "the file grew beyond 0 MB while it was read"
    assert (exc.value.file, exc.value.field) == ("/proc/self/status", "mapping")


def test_small_file_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEGAP_MAX_INPUT_MB", "0.0001")  # 100 bytes
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, "a table") == b"x" * 100
    path.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="above the limit of 0 MB for a table"):
        read_bounded(path, "a table")
