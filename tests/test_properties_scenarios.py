"""Property tests of the scenario TOML loaders (planner and settlement): a shipped scenario
with one key given a wrong value (wrong type, out of range, not finite, huge) or removed is
either still valid or refused with an InputError naming that key (or the table holding it);
random bytes are refused with an InputError naming the file, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_properties_parsers import SETTINGS
from tradegap.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
PLAN_FILES = sorted((ROOT / "scenarios").glob("*.toml"))

#: Values that are wrong for almost any key: the wrong type, out of range, not finite, huge.
BAD_VALUES = st.sampled_from([
    "text", -1, -1.5, 1e308 * 10, float("nan"), 10**30, 10**400, -(10**400), True, [],
    [1, "a"], {"x": 1}, "", "2024-13", 0, "../../etc/passwd",
])


def _paths(doc: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for k, v in doc.items():
        out.append((*prefix, k))
        if isinstance(v, dict):
            out += _paths(v, (*prefix, k))
    return out


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(doc)
    node = out
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return out


def _loaders() -> list[tuple[str, Path, Any]]:
    import tomllib

    from tradegap.analysis.gravity_ge_scenario import load_scenario as load_ge
    from tradegap.measures.scenario import load_scenario as load_measures
    from tradegap.planning.scenario import load_scenario as load_plan
    from tradegap.settlement.scenario import load_scenario as load_settle

    out = []
    for path in PLAN_FILES:
        doc = tomllib.loads(path.read_text())
        if "scenario" in doc and "inflows" in doc:
            loader = load_settle
        elif "surplus" in doc.get("pair", {}):
            loader = load_measures
        elif "change" in doc or "estimate" in doc:
            loader = load_ge
        else:
            loader = load_plan
        out.append((path.name, path, loader))
    return out


@pytest.mark.parametrize(("name", "path", "loader"), _loaders(),
                         ids=[name for name, _, _ in _loaders()])
def test_scenario_with_one_bad_value_names_the_key(name: str, path: Path, loader: Any) -> None:
    import tomllib

    doc = tomllib.loads(path.read_text())
    keys = _paths(doc)
    loader(path)  # the shipped file itself is valid
    refused: list[str] = []

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(key=st.sampled_from(keys), value=BAD_VALUES, drop=st.booleans())
    def check(key: tuple[str, ...], value: Any, drop: bool) -> None:
        if drop:
            changed = _set(doc, key, None)
            node = changed
            for k in key[:-1]:
                node = node[k]
            del node[key[-1]]
        else:
            changed = _set(doc, key, value)
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / path.name
            # files the scenario refers to (candidates, fx CSVs) are found beside it
            for other in path.parent.iterdir():
                if other.is_file() and other != path:
                    (Path(tmp) / other.name).write_bytes(other.read_bytes())
            try:
                target.write_text(_dumps(changed))
            except (ValueError, TypeError):
                return  # not representable in TOML (e.g. a null)
            try:
                loader(target)
            except InputError as exc:
                refused.append(str(exc))
                assert exc.file == str(target)
                named = exc.field or ""
                # the error names the key changed, a key inside it, or the table holding it
                dotted = ".".join(key)
                assert named and (named.startswith(dotted) or dotted.startswith(
                    named.split("[")[0]) or named.split(".")[0] == key[0]), (named, dotted)

    check()
    assert refused  # the bad values were really refused, not all accepted


def _dumps(doc: dict[str, Any]) -> str:
    return tomli_w.dumps(doc)


@pytest.mark.parametrize("loader_name", ["planning", "settlement"])
@SETTINGS
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_scenario_garbage_is_an_input_error(loader_name: str, data: bytes) -> None:
    from tradegap.planning.scenario import load_scenario as load_plan
    from tradegap.settlement.scenario import load_scenario as load_settle

    loader = load_plan if loader_name == "planning" else load_settle
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bad.toml"
        path.write_bytes(data)
        with pytest.raises(InputError) as err:
            loader(path)
        assert err.value.file == str(path)


# -- the tidy source's column-mapping TOML -----------------------------------------------------
TOML_VALUES = st.recursive(
    st.one_of(st.text(max_size=10), st.integers(), st.floats(allow_nan=False), st.booleans()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6,
)


@SETTINGS
@given(columns=TOML_VALUES, constants=TOML_VALUES, extra=st.booleans())
def test_tidy_mapping_of_any_shape_is_an_input_error(columns: Any, constants: Any,
                                                     extra: bool) -> None:
    """A mapping file whose [columns] or [constants] is not what is expected (a number, a
    list, nested tables, unknown fields) is refused naming the file or the field."""
    from tradegap.sources.tidy import load_mapping

    doc: dict[str, Any] = {"columns": columns, "constants": constants}
    if extra:
        doc["other"] = {"x": 1}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mapping.toml"
        try:
            path.write_text(tomli_w.dumps(doc))
        except (TypeError, ValueError):
            return
        with pytest.raises(InputError) as err:
            load_mapping({"mapping": path})
        assert err.value.file == str(path) or err.value.field in ("columns", "constants") or (
            err.value.field is not None)
