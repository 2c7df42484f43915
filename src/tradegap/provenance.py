"""Provenance: which data fed a result, and whether any of it was synthetic."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SYNTHETIC_LABEL = "SYNTHETIC (demo world) — not real trade data"


@dataclass
class Provenance:
    """What a result was computed from. ``synthetic`` is true as soon as one input was synthetic."""

    sources: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    revisions: list[str] = field(default_factory=list)
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        base = ", ".join(self.datasets or self.sources) or "no data"
        return f"{SYNTHETIC_LABEL}; from {base}" if self.synthetic else f"from {base}"

    def merge(self, other: Provenance) -> Provenance:
        def union(a: list[str], b: list[str]) -> list[str]:
            return list(dict.fromkeys([*a, *b]))

        return Provenance(
            sources=union(self.sources, other.sources),
            datasets=union(self.datasets, other.datasets),
            periods=union(self.periods, other.periods),
            revisions=union(self.revisions, other.revisions),
            synthetic=self.synthetic or other.synthetic,
            notes=union(self.notes, other.notes),
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}
