"""Run every benchmark once, one after the other (each in its own process), then write
BENCHMARKS.md. ``python benchmarks/run_all.py [name …]`` runs only those (e.g. ``ppml``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("startup", "ingest_baci", "ingest_india", "potential", "pair", "ppml", "planner",
         "measures", "web", "real", "case_study")


def main(names: list[str]) -> int:
    failed = []
    for name in names or ORDER:
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / f"bench_{name}.py")], cwd=HERE)
        if done.returncode:
            failed.append(name)
    subprocess.run([sys.executable, str(HERE / "report.py")], cwd=HERE, check=True)
    # the targets table, as BENCHMARKS.md now records it
    text = (HERE.parent / "BENCHMARKS.md").read_text()
    if "## Targets" in text:
        print(text[text.index("## Targets"):text.index("## Results")].rstrip())
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
