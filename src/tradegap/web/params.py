"""What a request may ask for: every parameter validated before it reaches the Python API.

Countries match ``^[A-Z]{3}$``; product groups come from the known list; scenarios are chosen
by name from the shipped list (never a path); numbers are range-checked by Pydantic.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request
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


#: Query parameters a request may carry at most (each route checks its own names as well).
MAX_QUERY_PARAMS = 50


def only_known_query(request: Request) -> None:
    """A router dependency: refuse (422) query parameters the route does not declare, and more
    than :data:`MAX_QUERY_PARAMS` of them, instead of ignoring them silently."""
    from fastapi.exceptions import RequestValidationError

    items = request.query_params.multi_items()
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    known = {p.alias for p in dependant.query_params} if dependant is not None else set()
    if request.url.path.startswith("/api/"):
        known.add("download")  # any JSON route's table as CSV/Excel (web/downloads.py)
    unknown = sorted({k for k, _ in items} - known)
    if len(items) > MAX_QUERY_PARAMS:
        msg = f"{len(items)} query parameters; at most {MAX_QUERY_PARAMS} are accepted"
    elif unknown:
        shown = ", ".join(repr(k[:40]) for k in unknown[:5])
        msg = (f"unknown query parameter(s) {shown}; this address takes: "
               + (", ".join(sorted(known)) or "none"))
    else:
        return
    raise RequestValidationError([{"loc": ("query",), "msg": msg, "type": "value_error"}])


def check_country(code: str, field: str) -> str:
    """``code`` if it is a country of the reference list (ISO3); else a 422."""
    from fastapi.exceptions import RequestValidationError

    from tradegap.reference.countries import countries

    if code not in set(countries()["iso3"]):
        raise RequestValidationError([{"loc": ("query", field), "type": "value_error",
                                       "msg": f"{code!r} is not a known ISO3 country code"}])
    return code
