"""What `sam build` wrote is what Lambda runs: the layer holds python/regentra and the locked wheels,
each built handler imports in a clean Python 3.12 whose path is only its folder and the layer's python/,
and the deployable (arm64) layer's native code is aarch64. This module runs in the build-check session,
whose own imports come from the built layer (PYTHONPATH), so the sample-event and e2e tests run with it
exercise the built code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from regentra.local.template import Template, build_dir

REPO = Path(__file__).resolve().parents[2]
EM_AARCH64, EM_X86_64 = 183, 62


def _build() -> Template:
    root = build_dir()
    assert root is not None and (root / "template.yaml").is_file(), "REGENTRA_BUILD_DIR names no sam build"
    return Template.load(root)


def _layer_python(tpl: Template) -> Path:
    (layer,) = tpl.layer_dirs()
    return layer / "python"


def _locked_versions() -> dict[str, str]:
    """name -> version of every line of the layer's requirements (uv.lock exported)."""
    out = {}
    for line in (REPO / "layers" / "common" / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, _, rest = line.partition("==")
            out[_norm(name)] = rest.split(";")[0].split()[0].strip()
    return out


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _installed_versions(python: Path) -> dict[str, str]:
    out = {}
    for info in python.glob("*.dist-info"):
        meta = (info / "METADATA").read_text(errors="replace").splitlines()
        fields = dict(line.split(": ", 1) for line in meta if ": " in line and not line.startswith(" "))
        out[_norm(fields["Name"])] = fields["Version"]
    return out


def _elf_machine(path: Path) -> int:
    head = path.read_bytes()[:20]
    assert head[:4] == b"\x7fELF", path
    return int.from_bytes(head[18:20], "little")


def test_this_session_imports_regentra_from_the_built_layer() -> None:
    import pydantic_core

    import regentra

    layer = _layer_python(_build()).resolve()
    assert Path(regentra.__file__).resolve().is_relative_to(layer), regentra.__file__
    assert Path(pydantic_core.__file__).resolve().is_relative_to(layer), pydantic_core.__file__


def test_the_layer_holds_the_package_at_python_regentra() -> None:
    python = _layer_python(_build())
    assert (python / "regentra" / "__init__.py").is_file()
    assert (python / "regentra" / "services" / "tickets.py").is_file()
    assert not (python / "python").exists(), "the package is nested one python/ too deep"


def test_the_layer_ships_exactly_the_locked_versions() -> None:
    installed = _installed_versions(_layer_python(_build()))
    assert installed == _locked_versions()


def _import_handler(python312: str, fn_dir: Path, layer: Path, handler: str, env: dict[str, str]) -> str:
    module, _, attr = handler.rpartition(".")
    # -I -S: no user site, no site-packages, no PYTHON* variables: only the stdlib and the two folders.
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import importlib; "
        f"m = importlib.import_module({module!r}); h = getattr(m, {attr!r}); assert callable(h); "
        "import regentra; assert regentra.__file__.startswith(sys.argv[2]), regentra.__file__"
    )
    run = subprocess.run(
        [python312, "-I", "-S", "-c", code, str(fn_dir), str(layer)],
        capture_output=True,
        text=True,
        env=env,
        cwd=fn_dir,
        timeout=120,
    )
    return "" if run.returncode == 0 else f"{fn_dir.name}: {run.stderr.strip().splitlines()[-1:]}"


def test_every_built_handler_imports_with_only_its_folder_and_the_layer() -> None:
    tpl = _build()
    layer = _layer_python(tpl)
    functions = tpl.functions()
    assert len(functions) >= 80
    python312 = os.environ.get("REGENTRA_PYTHON312", sys.executable)
    base_env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }

    def one(spec: object) -> str:
        env = {
            **base_env,
            **{k: v for k, v in spec.environment.items() if isinstance(v, str)},  # type: ignore[attr-defined]
            "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,  # type: ignore[attr-defined]
        }
        return _import_handler(python312, spec.code_uri, layer, spec.handler, env)  # type: ignore[attr-defined]

    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [f for f in pool.map(one, functions.values()) if f]
    assert failures == [], "\n".join(failures)
    print(f"{len(functions)} of {len(functions)} built handlers import with only their folder and the layer")


def test_each_built_function_folder_holds_only_its_handler_code() -> None:
    for spec in _build().functions().values():
        names = {p.name for p in spec.code_uri.iterdir() if p.name != "__pycache__"}
        assert (spec.code_uri / (spec.handler.rpartition(".")[0] + ".py")).is_file(), spec.logical_id
        assert "regentra" not in names, f"{spec.logical_id} carries its own copy of the package"


def test_the_deployable_layer_is_aarch64_and_otherwise_identical() -> None:
    assert os.environ.get("REGENTRA_ARM64_BUILD_DIR"), "make build-check names the arm64 build too"
    arm = Template.load(Path(os.environ["REGENTRA_ARM64_BUILD_DIR"]).resolve())
    arm_python = _layer_python(arm)
    libs = sorted(arm_python.rglob("*.so*"))
    assert {p.parent.name for p in libs} >= {"pydantic_core", "tantivy"}, libs
    wrong = [str(p.relative_to(arm_python)) for p in libs if _elf_machine(p) != EM_AARCH64]
    assert wrong == [], f"not aarch64: {wrong}"
    assert _installed_versions(arm_python) == _locked_versions()
    native = _layer_python(_build())
    rel = sorted(str(p.relative_to(native)) for p in (native / "regentra").rglob("*.py"))
    assert rel == sorted(str(p.relative_to(arm_python)) for p in (arm_python / "regentra").rglob("*.py"))
    arm_tpl = json.dumps(arm.body, sort_keys=True, default=str)
    assert '"Architectures": ["arm64"]' in arm_tpl
