"""What every benchmark shares: where the big inputs live, how a command is timed and its
peak memory measured, the machine and its load, and where the figures are recorded."""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SHARED = (ROOT.parent / "shared" / "data").resolve()
#: Big generated inputs (an 11 M-row CSV, warehouses): outside the repository.
WORK = Path(os.environ.get("TRADEGAP_BENCH_DIR", "/tmp/tradegap-bench"))
BIN = Path(sys.executable).parent
TRADEGAP = str(BIN / "tradegap")
PYTHON = sys.executable


@dataclass
class Measured:
    """One timed run of a command: wall seconds, peak resident memory of its process tree."""

    seconds: float
    peak_rss: int  # bytes, max over time of the sum over the process tree
    returncode: int
    stdout: str
    stderr: str
    cpu_s: float = 0.0  # user + system CPU of the process and the descendants it waited for

    def check(self) -> Measured:
        if self.returncode != 0:
            raise RuntimeError(f"command failed ({self.returncode}): {self.stderr[-2000:]}")
        return self


def _tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, from /proc (bytes)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(entry)
        children.setdefault(int(fields[1]), []).append(p)
        rss[p] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 1800,
        cwd: Path | None = None) -> Measured:
    """Run ``cmd``, sampling its process tree's memory every 0.1 s; ``ru_maxrss`` of the
    process itself (via wait4) bounds it from below."""
    full_env = {**os.environ, **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=full_env, cwd=cwd)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done.set()
    sampler.join()
    return Measured(seconds, peak, proc.returncode, out, err, cpu)


def python(code: str, **kwargs: Any) -> Measured:
    """Run ``code`` in a fresh interpreter of this venv (own memory, own timing)."""
    return run([PYTHON, "-c", code], **kwargs)


def load() -> dict[str, Any]:
    """The machine's load right now: load averages and the busiest other processes."""
    one, five, fifteen = os.getloadavg()
    top = subprocess.run(["ps", "-eo", "pcpu,rss,comm", "--sort=-pcpu"], capture_output=True,
                         text=True).stdout.splitlines()[1:6]
    return {"loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)],
            "top": [" ".join(line.split()) for line in top]}


def machine() -> dict[str, Any]:
    """nproc, memory, CPU model, OS, Python."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip()
    java = shutil.which("java")
    java_version = (subprocess.run([java, "-version"], capture_output=True, text=True)
                    .stderr.splitlines()[0] if java else None)
    return {"nproc": os.cpu_count(), "cpu": cpu, "free_h": free,
            "os": platform.platform(), "python": platform.python_version(), "java": java_version}


def record(name: str, payload: dict[str, Any]) -> Path:
    """Write one benchmark's figures (with the load at the time) to results/NAME.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"name": name, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
               "load_after": load(), **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def gb(n: int) -> float:
    return round(n / 1e9, 2)


def say(text: str) -> None:
    print(text, flush=True)


def target_row(metric: str, baseline: str, baseline_value: str, tradegap: str, ratio: float,
               target: str, met: bool) -> dict[str, Any]:
    """One row of the targets table (BENCHMARKS.md, top): what is compared with what, both
    measured in this run, the ratio, the target and whether it is met; printed as it is made."""
    row = {"metric": metric, "baseline": baseline, "baseline_value": baseline_value,
           "tradegap": tradegap, "ratio": round(ratio, 2), "target": target, "met": bool(met)}
    say(f"ROW | {metric} | {baseline}: {baseline_value} | tradegap: {tradegap} | ratio "
        f"{row['ratio']} | target {target} | {'met' if met else 'MISSED'}")
    return row


def best_of(cmd: list[str], n: int, **kwargs: Any) -> tuple[float, list[float]]:
    """Best and all wall times of ``n`` runs of ``cmd``."""
    times = [run(cmd, **kwargs).check().seconds for _ in range(n)]
    return min(times), times
