"""The committed lock: every package pinned with hashes, within the ranges pyproject supports,
and the installed environment is the locked one (what CI tests is what a fresh machine gets)."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _lock() -> dict[str, list[dict]]:
    """Locked entries by name (a package may be locked at one version per Python fork)."""
    data = tomllib.loads((ROOT / "uv.lock").read_text())
    out: dict[str, list[dict]] = {}
    for p in data["package"]:
        out.setdefault(canonicalize_name(p["name"]), []).append(p)
    return out


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        reqs += [Requirement(r) for r in extra]
    return reqs


def test_lock_satisfies_the_supported_ranges():
    locked = _lock()
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in uv.lock: run `make upgrade`"
        for entry in locked[name]:
            version = Version(entry["version"])
            assert req.specifier.contains(version, prereleases=True), (
                f"uv.lock has {req.name} {version}, outside pyproject's {req.specifier}")


def test_every_locked_package_has_hashes():
    for name, pkg in ((n, p) for n, ps in _lock().items() for p in ps):
        if pkg.get("source", {}).get("editable") or pkg.get("source", {}).get("virtual"):
            continue  # tradegap itself
        files = [pkg["sdist"]] if "sdist" in pkg else []
        files += pkg.get("wheels", [])
        assert files, f"{name}: no artefacts in the lock"
        assert all(f.get("hash", "").startswith("sha256:") for f in files), name


def test_installed_versions_are_the_locked_ones():
    locked = _lock()
    for req in _declared():
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        try:
            installed = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            continue  # an extra this environment did not install
        versions = {Version(e["version"]) for e in locked[name]}
        assert Version(installed) in versions, (
            f"{req.name} {installed} is installed but uv.lock has "
            f"{', '.join(map(str, sorted(versions)))}: install with `make test` (uv sync --frozen)")


def test_the_installer_itself_is_pinned_with_hashes():
    text = (ROOT / "requirements" / "tools.txt").read_text()
    assert "uv==" in text and "--hash=sha256:" in text
