"""What a request may ask for: every parameter validated before it reaches the Python API.

Countries match ``^[A-Z]{3}$``; product groups come from the known list; scenarios are chosen
by name from the shipped list (never a path); numbers are range-checked by Pydantic.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ISO3 = r"^[A-Z]{3}$"
NAME = r"^[a-z0-9][a-z0-9-]{0,63}$"
#: Free-text search: letters, digits, spaces and a little punctuation; nothing SQL needs.
SEARCH = r"^[\w .,()&+-]{0,80}$"
Frequency = Literal["auto", "calendar_year", "fiscal_year_in"]
SortKey = Literal["product", "group", "rca", "potential", "actual", "untapped", "realised"]
Order = Literal["asc", "desc"]
HeadroomSort = Literal["rank", "product", "group", "demand", "current", "share_now", "capacity",
                       "headroom", "gravity_untapped", "extra"]
#: Product groups as a comma-separated list (``agri,pharma``).
GROUP_LIST = r"^[a-z]{1,20}(,[a-z]{1,20}){0,9}$"
MAX_UNTAPPED = 1e13


def known_groups() -> list[str]:
    """Product group names (tradegap/data/product_groups.toml), ``other`` included."""
    from tradegap.reference.groups import CATCH_ALL, product_groups

    names = list(product_groups())
    return names if CATCH_ALL in names else [*names, CATCH_ALL]


def check_groups(groups: list[str] | None) -> list[str]:
    known = set(known_groups())
    for g in groups or []:
        if g not in known:
            raise ValueError(f"unknown product group {g[:40]!r}; known: "
                             + ", ".join(known_groups()))
    return list(dict.fromkeys(groups or []))


def headroom_groups(groups: list[str] | str | None) -> tuple[str, ...]:
    """Product groups for the headroom ranking (``agri,pharma`` or a list; none: agri and
    pharma). ``other`` is not a group the ranking knows."""
    from tradegap.reference.groups import product_groups

    items = groups.split(",") if isinstance(groups, str) else list(groups or [])
    items = [g.strip() for g in items if g.strip()] or ["agri", "pharma"]
    known = list(product_groups())
    for g in items:
        if g not in known:
            raise ValueError(f"unknown product group {g[:40]!r}; known: " + ", ".join(known))
    return tuple(dict.fromkeys(items))


class PlanSettings(BaseModel):
    """Settings a user may change before re-solving a shipped scenario (None: keep the
    scenario's own value)."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field("all-sectors", pattern=NAME,
                          description="a shipped scenario, by name (see /api/scenarios)")
    target_share: float | None = Field(None, ge=0.0, le=1.0,
                                       description="share of the baseline gap to close")
    market_share_max: float | None = Field(None, gt=0.0, le=1.0,
                                           description="cap on the exporter's market share")
    ramp_share: float | None = Field(None, gt=0.0, le=1.0,
                                     description="yearly ramp-up, share of potential")
    groups: list[str] | None = Field(None, max_length=20,
                                     description="product groups allowed (None: all)")

    @field_validator("groups")
    @classmethod
    def _known_groups(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_groups(value)

    def changes(self) -> dict[str, object]:
        """Scenario fields to replace (hashable values)."""
        out: dict[str, object] = {}
        if self.target_share is not None:
            out["target_share"] = (self.target_share,)
            out["target_usd"] = None
        if self.market_share_max is not None:
            out["market_share_max"] = self.market_share_max
        if self.ramp_share is not None:
            out["ramp_share"] = self.ramp_share
            out["ramp_usd"] = None
        if self.groups:
            out["groups"] = tuple(self.groups)
        return out
