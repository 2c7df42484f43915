"""Downloading a BACI release from a local HTTP server: full, resumed, lying sizes, 404."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers_http import start
from tests.servers import stop
from tradegap.errors import InputError, TradegapError
from tradegap.sources import ingest
from tradegap.sources.fetch import DEFAULT_BASE_URL, baci_url, fetch_baci
from tradegap.warehouse import Warehouse

NAME = "BACI_HS17_V202501.zip"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A folder holding a release-layout zip made from the real BACI sample."""
    root = tmp_path_factory.mktemp("www")
    sample = shared_data / "baci_sample"
    with zipfile.ZipFile(root / NAME, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(sample / "BACI_HS17_Y2020_subset_AFG_ZAF.csv", "BACI_HS17_Y2020_V202501.csv")
        zf.write(sample / "country_codes_V202201.csv", "country_codes_V202501.csv")
    return root


def server(root: Path, *args: str) -> Iterator[str]:
    proc, port = start(root, *args)
    try:
        yield f"http://127.0.0.1:{port}/DATA_DOWNLOAD/baci/data"
    finally:
        stop(proc)


@pytest.fixture()
def honest(served: Path) -> Iterator[str]:
    yield from server(served)


def test_default_url_is_cepii() -> None:
    assert baci_url("hs17", "V202501") == (
        "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202501.zip")
    assert DEFAULT_BASE_URL.startswith("https://www.cepii.fr/")
    with pytest.raises(InputError, match="revision"):
        baci_url("HS13", "V202501")


def test_full_download_then_ingest(honest: str, served: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    result = fetch_baci("HS17", "V202501", tmp_path / "dl", base_url=honest,
                        progress=lambda d, t: seen.append((d, t)))
    assert result.path.read_bytes() == (served / NAME).read_bytes()
    assert result.bytes == (served / NAME).stat().st_size and result.resumed_from == 0
    assert seen[-1] == (result.bytes, result.bytes)
    assert not list((tmp_path / "dl").glob("*.part*"))
    again = fetch_baci("HS17", "V202501", tmp_path / "dl", base_url=honest)
    assert again.already_present
    [(parsed, outcome)] = ingest(Warehouse(tmp_path / "wh"), "baci", [result.path])
    assert outcome.dataset.rows == 70_920 and parsed.set_aside == {}


def test_resume_after_cut(served: Path, tmp_path: Path) -> None:
    size = (served / NAME).stat().st_size
    cut = size // 2 + 1
    for url in server(served, "--cut-after", str(cut)):
        with pytest.raises(TradegapError, match="stopped after") as exc:
            fetch_baci("HS17", "V202501", tmp_path, base_url=url)
        assert "run the same command again" in str(exc.value)
        part = tmp_path / (NAME + ".part")
        assert part.stat().st_size == cut and not (tmp_path / NAME).exists()
        result = fetch_baci("HS17", "V202501", tmp_path, base_url=url)
        assert result.resumed_from == cut
        assert result.path.read_bytes() == (served / NAME).read_bytes()
        assert not part.exists()


def test_server_announcing_more_than_it_sends(served: Path, tmp_path: Path) -> None:
    for url in server(served, "--length-delta", "100"):
        with pytest.raises(TradegapError, match="stopped after"):
            fetch_baci("HS17", "V202501", tmp_path, base_url=url)
        with pytest.raises(TradegapError, match="size mismatch"):
            fetch_baci("HS17", "V202501", tmp_path, base_url=url)
        assert not (tmp_path / NAME).exists()


def test_server_announcing_less_than_it_sends(served: Path, tmp_path: Path) -> None:
    for url in server(served, "--length-delta", "-100"):
        with pytest.raises(InputError, match="not a complete zip"):
            fetch_baci("HS17", "V202501", tmp_path, base_url=url)
        assert not (tmp_path / NAME).exists() and not (tmp_path / (NAME + ".part")).exists()


def test_404_is_clear(honest: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="HTTP 404") as exc:
        fetch_baci("HS17", "V199901", tmp_path, base_url=honest)
    assert "BACI_HS17_V199901.zip" in str(exc.value) and "--release" in str(exc.value)
    assert not any(tmp_path.glob("*.zip"))


def test_cli_downloads_into_the_warehouse(honest: str, served: Path, tmp_path: Path) -> None:
    from tradegap.cli.main import app

    home = tmp_path / "home"
    out = CliRunner().invoke(app, ["--home", str(home), "fetch", "baci", "--revision", "HS17",
                                   "--release", "V202501", "--base-url", honest, "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout[out.stdout.index("{"):])
    assert payload["path"] == str(home / "downloads" / NAME)
    assert (home / "downloads" / NAME).read_bytes() == (served / NAME).read_bytes()
