"""Installs come from locks: uv.lock (Python, with hashes) feeds both the venv and the layer, every native
wheel the layer needs exists for Lambda's arm64, and the npm locks name every dependency their packages
declare (the failure a new machine met: an optional dependency published after the lock was written)."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UV = REPO / ".local" / "uv" / "bin" / "uv"
LAYER_REQUIREMENTS = REPO / "layers" / "common" / "requirements.txt"


def _layer_packages() -> dict[str, str]:
    out = {}
    for line in LAYER_REQUIREMENTS.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;]+)", line)
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_the_layer_requirements_are_uv_lock_exported() -> None:
    assert UV.exists(), "make setup installs uv into .local/uv"
    exported = subprocess.run(
        [str(UV), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", "--quiet",
         "--format", "requirements.txt"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    body = "".join(LAYER_REQUIREMENTS.read_text().splitlines(keepends=True)[1:])
    assert body == exported, "layers/common/requirements.txt is stale: run `make layer-requirements`"


def test_every_layer_requirement_is_pinned_with_hashes() -> None:
    text = LAYER_REQUIREMENTS.read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    assert len(entries) >= 20
    for entry in entries:
        assert "==" in entry and "--hash=sha256:" in entry, entry.splitlines()[0]


def test_every_native_layer_dependency_has_an_arm64_wheel_for_python_312() -> None:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    wanted = _layer_packages()
    missing = []
    native = 0
    for pkg in lock["package"]:
        if pkg["name"] not in wanted or pkg.get("version") != wanted[pkg["name"]]:
            continue
        wheels = [Path(w["url"]).name for w in pkg.get("wheels", [])]
        if not wheels or all(w.endswith("-none-any.whl") for w in wheels):
            continue  # pure Python: any platform
        native += 1
        arm = [w for w in wheels if "manylinux" in w and "aarch64" in w and ("-cp312-" in w or "-abi3-" in w)]
        if not arm:
            missing.append(pkg["name"])
    assert native >= 3  # pydantic-core, tantivy, pyyaml, ... are compiled
    assert missing == [], f"no manylinux aarch64 wheel for Python 3.12: {missing}"


def test_the_layer_is_built_from_those_requirements_with_hashes_for_arm64() -> None:
    makefile = (REPO / "layers" / "common" / "Makefile").read_text()
    assert "--require-hashes" in makefile and "--only-binary :all:" in makefile
    assert "LAYER_PLATFORM ?= aarch64-manylinux" in makefile
    template = (REPO / "template.yaml").read_text()
    layer = template[template.index("  CommonLayer:") :][:800]
    assert "BuildMethod: makefile" in layer and "ContentUri: layers/common/" in layer


@pytest.mark.parametrize("lock", ["web/package-lock.json", "tools/ddb/package-lock.json"])
def test_npm_lock_names_every_declared_dependency(lock: str) -> None:
    data = json.loads((REPO / lock).read_text())
    packages = data["packages"]
    unresolved = []
    for path, entry in packages.items():
        for kind in ("dependencies", "optionalDependencies"):
            for name in entry.get(kind, {}):
                # node's lookup: the package's own node_modules, then each parent's, up to the root.
                base = path
                while True:
                    if f"{base}/node_modules/{name}".lstrip("/") in packages:
                        break
                    if not base:
                        unresolved.append(f"{path or '<root>'} -> {name}")
                        break
                    base = base.rsplit("/node_modules/", 1)[0] if "/node_modules/" in base else ""
    assert unresolved == [], f"{lock} lacks: {unresolved} (run `make lock`)"


def test_setup_installs_only_from_the_locks() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "sync --locked" in makefile
    assert "npm ci --prefix web" in makefile and "npm ci --prefix .local/ddb" in makefile
    assert "--no-save" not in makefile and "pip install -e" not in makefile
