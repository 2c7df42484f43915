"""Adversarial suite, input side (issue 14): values that must be refused, inputs that used to
crash with a traceback, and inputs that used to make tradegap work without bound.

Every attack in :data:`ATTACKS` runs through the command line's entry point in-process (any
exception but SystemExit would be the traceback a user sees); a sample also runs the installed
console script in a subprocess. docs/guarantees.md states the counts; a test checks them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.test_cli_errors import InProcess, assert_clean_refusal, tg  # noqa: F401
from tradegap.errors import InputError
from tradegap.planning import plan

ROOT = Path(__file__).resolve().parents[1]
TRADEGAP = ROOT / ".venv" / "bin" / "tradegap"
DOC = ROOT / "docs" / "guarantees.md"

CT_HEAD = "refYear,period,reporterISO,partnerISO,flowCode,cmdCode,primaryValue,netWgt,qty,qtyUnitAbbr,classificationCode\n"  # noqa: E501
CT_ROW = "2020,2020,IND,RUS,X,0101,5.5,10,,,H5\n"
COUNTRIES = "country_code,country_iso3\n4,AFG\n8,ALB\n"
BACI_HEAD = "t,i,j,k,v,q\n2020,8,4,999999,2.000,3.0\n"


def comtrade(row: str, extra: str = "") -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        (d / "ct.csv").write_text(CT_HEAD + CT_ROW + extra + row)
        return ["ingest", "comtrade", str(d / "ct.csv")]
    return build


def baci(row: str, name: str = "BACI_HS17_Y2020_V202501.csv") -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        (d / "country_codes_V202501.csv").write_text(COUNTRIES)
        (d / name).write_text(BACI_HEAD + row)
        return ["ingest", "baci", str(d / name)]
    return build


def special(kind: str) -> Callable[[Path], Path]:
    """A path that is not a regular file: a directory, a FIFO, a character device."""
    def make(d: Path) -> Path:
        if kind == "dir":
            (d / "a-dir.csv").mkdir()
            return d / "a-dir.csv"
        if kind == "fifo":
            os.mkfifo(d / "pipe.csv")
            return d / "pipe.csv"
        return Path("/dev/zero")
    return make


def ingest_path(kind: str) -> Callable[[Path], list[str]]:
    return lambda d: ["ingest", "comtrade", str(special(kind)(d))]


PLAN = """name = "attack"
[pair]
exporter = "IND"
market = "RUS"
[period]
base = "2024"
horizon = 3
[baseline]
gap = {gap}
[target]
share = 0.10
[candidates]
path = "{candidates}"
synthetic = true
{extra}
"""


def plan_toml(gap: str = "59e9", candidates: str = "candidates.csv", extra: str = "",
              csv: str | None = None) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        if csv is None:
            shutil.copy(ROOT / "scenarios" / "candidates-demo.csv", d / "candidates.csv")
        else:
            (d / "candidates.csv").write_text(csv)
        where = str(special(candidates[1:])(d)) if candidates.startswith("@") else candidates
        (d / "plan.toml").write_text(PLAN.format(gap=gap, candidates=where, extra=extra))
        return ["plan", "run", str(d / "plan.toml")]
    return build


def settlement(old: str, new: str) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        text = (ROOT / "scenarios" / "settlement-fund.toml").read_text()
        assert re.search(old, text, flags=re.M), old
        (d / "settle.toml").write_text(re.sub(old, new, text, count=1, flags=re.M))
        return ["settle", "check", str(d / "settle.toml")]
    return build


def nested(depth: int, where: str) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        (d / "deep.toml").write_text("x = " + "[" * depth + "]" * depth + "\n")
        return ([where, "run", str(d / "deep.toml")] if where == "plan"
                else [where, "check", str(d / "deep.toml")])
    return build


def big_candidates(d: Path) -> list[str]:
    os.environ["TRADEGAP_MAX_INPUT_MB"] = "0.001"  # 1 KB; the test restores it
    return plan_toml()(d)


@dataclass(frozen=True)
class Attack:
    """One class of hostile input: how to build it, and words the refusal must contain.
    ``aside``: the rows are set aside and counted (exit 0, the reason shown) instead."""

    build: Callable[[Path], list[str]]
    words: tuple[str, ...]
    aside: bool = False


ATTACKS: dict[str, Attack] = {
    # Comtrade values (item 5)
    "comtrade primaryValue inf": Attack(comtrade("2020,2020,IND,RUS,M,0102,inf,,,,H5\n"),
                                        ("primaryValue", "world GDP")),
    "comtrade primaryValue Infinity": Attack(
        comtrade("2020,2020,IND,RUS,M,0102,Infinity,,,,H5\n"), ("primaryValue", "finite")),
    "comtrade primaryValue 1e300": Attack(comtrade("2020,2020,IND,RUS,M,0102,1e300,,,,H5\n"),
                                          ("primaryValue", "world GDP")),
    "comtrade primaryValue above world GDP": Attack(
        comtrade("2020,2020,IND,RUS,M,0102,2e14,,,,H5\n"), ("primaryValue", "1.2e+14")),
    "comtrade netWgt inf": Attack(comtrade("2020,2020,IND,RUS,M,0102,7,inf,,,H5\n"),
                                  ("netWgt", "infinite")),
    "comtrade netWgt negative": Attack(comtrade("2020,2020,IND,RUS,M,0102,7,-5,,,H5\n"),
                                       ("netWgt", "negative")),
    "comtrade qty negative": Attack(comtrade("2020,2020,IND,RUS,M,0102,7,,-1,kg,H5\n"),
                                    ("qty", "negative")),
    "comtrade header repeated mid-file": Attack(comtrade(CT_HEAD), ("repeated header", ":3")),
    "comtrade first row with extra fields": Attack(
        lambda d: (d / "ct.csv").write_text(CT_HEAD + CT_ROW.strip() + ",EXTRA\n" + CT_ROW)
        and ["ingest", "comtrade", str(d / "ct.csv")], ("more fields than the header", ":2")),
    "comtrade later row with extra fields": Attack(
        comtrade("2020,2020,IND,RUS,M,0102,7,,,,H5,EXTRA\n"), ("line 3",)),
    "comtrade reporter = partner": Attack(comtrade("2020,2020,IND,IND,M,0102,7,,,,H5\n"),
                                          ("partner is the reporter itself",), aside=True),
    # BACI values (item 6)
    "baci v 2e12 (write overflow)": Attack(baci("2020,4,8,10101,2000000000000.000,NA\n"),
                                           ("field 'v'", "world GDP")),
    "baci v 1e300": Attack(baci("2020,4,8,10101,1e300,NA\n"), ("field 'v'", "world GDP")),
    "baci v inf": Attack(baci("2020,4,8,10101,inf,NA\n"), ("field 'v'", "finite")),
    "baci v nan": Attack(baci("2020,4,8,10101,nan,NA\n"), ("field 'v'", "finite")),
    "baci v four decimals": Attack(baci("2020,4,8,10101,0.0004,NA\n"),
                                   ("field 'v'", "more than three decimals")),
    "baci q inf": Attack(baci("2020,4,8,10101,1.500,inf\n"), ("field 'q'",)),
    "baci q nan": Attack(baci("2020,4,8,10101,1.500,nan\n"), ("field 'q'",)),
    "baci q negative": Attack(baci("2020,4,8,10101,1.500,-7\n"), ("field 'q'",)),
    "baci year other than the file name's": Attack(baci("2021,4,8,10101,1.500,NA\n"),
                                                   ("field 't'", "file name")),
    # paths that are not files (items 8 and 9)
    "ingest a directory": Attack(ingest_path("dir"), ("no file of the comtrade layout in this "
                                                      "directory",)),
    "ingest a FIFO": Attack(ingest_path("fifo"), ("FIFO",)),
    "ingest /dev/zero": Attack(ingest_path("dev"), ("character device",)),
    "baci a directory": Attack(lambda d: (d / "x").mkdir() or ["ingest", "baci", str(d / "x")],
                               ("no file of the baci layout in this directory",)),
    # scenarios (items 7, 8, 9)
    "plan gap 1e308": Attack(plan_toml(gap="1e308"), ("baseline.gap", "out of range")),
    "plan gap above world GDP": Attack(plan_toml(gap="5e14"), ("baseline.gap", "1.2e+14")),
    "plan target.usd 1e200": Attack(
        lambda d: plan_toml()(d) and (d / "plan.toml").write_text(
            (d / "plan.toml").read_text().replace("share = 0.10", "usd = 1e200"))
        and ["plan", "run", str(d / "plan.toml")], ("target.usd",)),
    "plan 500-deep nested arrays": Attack(nested(500, "plan"), ("nested too deeply",)),
    "settlement 500-deep nested arrays": Attack(nested(500, "settle"), ("nested too deeply",)),
    "candidates.path /etc/passwd": Attack(plan_toml(candidates="/etc/passwd"),
                                          ("/etc/passwd", "candidates")),
    "candidates.path /dev/zero": Attack(plan_toml(candidates="@dev"), ("character device",)),
    "candidates.path a FIFO": Attack(plan_toml(candidates="@fifo"), ("FIFO",)),
    "candidates.path a directory": Attack(plan_toml(candidates="@dir"), ("a directory",)),
    "candidates untapped 1e300": Attack(
        plan_toml(csv="product,group,current,untapped,market_imports\n0101,agri,1,1e300,5\n"),
        ("untapped", "world GDP")),
    "candidates file above the size limit": Attack(big_candidates,
                                                   ("above the limit", "TRADEGAP_MAX_INPUT_MB")),
    "plan above the problem-size limit": Attack(
        plan_toml(extra="[solver]\nmax_variables = 10"), ("max_variables", "limit of 10")),
    "settlement exports_usd 1e308": Attack(
        settlement(r"^exports_usd = .*$", "exports_usd = 1e308"), ("inflows.exports_usd",)),
    "settlement committed_usd above world GDP": Attack(
        settlement(r"^committed_usd = .*$", "committed_usd = 3e14"), ("committed_usd",)),
}


@pytest.fixture()
def restore_limit():  # type: ignore[no-untyped-def]
    saved = os.environ.get("TRADEGAP_MAX_INPUT_MB")
    yield
    if saved is None:
        os.environ.pop("TRADEGAP_MAX_INPUT_MB", None)
    else:
        os.environ["TRADEGAP_MAX_INPUT_MB"] = saved


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_refused_clearly(name: str, tmp_path: Path, tg: InProcess,  # noqa: F811
                                   restore_limit: None) -> None:
    attack = ATTACKS[name]
    folder = tmp_path / "in"
    folder.mkdir()
    args = attack.build(folder)
    started = time.monotonic()
    proc = tg(tmp_path / "wh", *args)
    assert time.monotonic() - started < 60  # bounded work: no hang on a FIFO or /dev/zero
    if attack.aside:
        assert proc.returncode == 0, proc.stderr
        assert "set aside" in proc.stdout
        flat = " ".join(proc.stdout.split())
        assert all(w in flat for w in attack.words), proc.stdout
    else:
        assert_clean_refusal(proc, *attack.words)


def test_the_guarantees_state_the_counts() -> None:
    """docs/guarantees.md states how many input classes were tried and refused."""
    text = DOC.read_text()
    refused = sum(not a.aside for a in ATTACKS.values())
    assert f"{len(ATTACKS)} input classes" in text, len(ATTACKS)
    assert f"{refused} refused" in text, refused
    assert f"{len(ATTACKS) - refused} set aside" in text


def test_a_million_candidates_are_refused_before_the_model_is_built() -> None:
    n = 1_000_000
    frame = pd.DataFrame({"product": np.char.zfill(np.arange(n).astype(str), 6),
                          "group": "agri", "current": 1.0, "untapped": 2.0,
                          "market_imports": 5.0})
    started = time.monotonic()
    with pytest.raises(InputError, match="above the limit of 500,000") as err:
        plan(ROOT / "scenarios" / "agri-pharma-only.toml", candidates=frame)
    assert "max_variables" in (err.value.hint or "")
    assert time.monotonic() - started < 30


def test_sample_through_the_installed_console_script(tmp_path: Path) -> None:
    """What a user runs: the installed `tradegap` in a subprocess; exit 2, one message."""
    env = {k: v for k, v in os.environ.items() if k != "TRADEGAP_HOME"}
    env.update(COLUMNS="200", NO_COLOR="1")
    for name in ("baci v 2e12 (write overflow)", "ingest a FIFO",
                 "plan 500-deep nested arrays", "candidates.path /etc/passwd"):
        folder = tmp_path / re.sub(r"\W+", "-", name)
        folder.mkdir()
        args = ATTACKS[name].build(folder)
        proc = subprocess.run([str(TRADEGAP), "--home", str(tmp_path / "wh"), *args],
                              capture_output=True, text=True, env=env, timeout=300)
        assert_clean_refusal(proc, *ATTACKS[name].words)
