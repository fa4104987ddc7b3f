"""DESIGN.md's arrows, checked: dependencies point down, faces hold no analysis, analysis never
prints, pm4py is imported lazily, and the CLI starts without the heavy libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bpmtool"
# __main__: `python -m`
FACES = ("bpmtool.cli", "bpmtool.render", "bpmtool.web", "bpmtool.__main__")


WEB = PACKAGE.parent / "web"  # installed as bpmtool.web (bpmtool/web links to it)


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out[name] = path
    for path in WEB.rglob("*.py"):
        rel = path.relative_to(WEB).with_suffix("")
        out[".".join(("bpmtool", "web", *rel.parts)).removesuffix(".__init__")] = path
    return out


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, imported at module level?) for every import in a file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


MODULES = _modules()


def test_model_imports_only_its_own_helpers() -> None:
    ours = {m for m, _ in _imports(MODULES["bpmtool.model"]) if m.startswith("bpmtool")}
    helpers = ("bpmtool.durations", "bpmtool.model_checks", "bpmtool.model_pools")
    assert ours <= {"bpmtool.errors", *helpers, "bpmtool.model_diagram"}
    for helper in (*helpers, "bpmtool.model_diagram"):
        assert {m for m, _ in _imports(MODULES[helper]) if m.startswith("bpmtool")} <= {
            "bpmtool.errors"
        }


@pytest.mark.parametrize("name", sorted(MODULES))
def test_nothing_below_the_faces_imports_a_face(name: str) -> None:
    if name.startswith((*FACES, "bpmtool.api")):
        return
    for module, _ in _imports(MODULES[name]):
        assert not module.startswith(("bpmtool.cli", "bpmtool.web")), f"{name} imports {module}"
        if not name.startswith("bpmtool.io"):
            assert not module.startswith("bpmtool.render"), f"{name} imports {module}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_pm4py_is_only_imported_lazily(name: str) -> None:
    for module, top_level in _imports(MODULES[name]):
        if module.split(".")[0] == "pm4py":
            assert not top_level, f"{name} imports pm4py at module level"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_analysis_never_prints(name: str) -> None:
    if name.startswith(FACES):
        return
    tree = ast.parse(MODULES[name].read_text())
    prints = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
    ]
    assert prints == [], f"{name} prints on lines {prints}"


def test_the_cli_starts_without_heavy_libraries() -> None:
    code = (
        "import sys, bpmtool.cli; heavy = [m for m in ('pm4py', 'pandas', 'fastapi', "
        "'uvicorn', 'svgwrite', 'openpyxl', 'matplotlib') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("bpmtool.mining")))
def test_the_analysis_does_not_import_the_readers(name: str) -> None:
    """mining reads the log's column names from the neutral bpmtool.log_schema, never from
    bpmtool.io (the readers sit beside it, not below it)."""
    for module, _ in _imports(MODULES[name]):
        assert not module.startswith("bpmtool.io"), f"{name} imports {module}"


def test_the_log_schema_is_neutral() -> None:
    """bpmtool.log_schema and bpmtool.categories import nothing of ours but the error
    hierarchy (which imports nothing of ours): both io and mining stand on them."""
    for name in ("bpmtool.log_schema", "bpmtool.categories"):
        ours = [m for m, _ in _imports(MODULES[name]) if m.startswith("bpmtool")]
        assert set(ours) <= {"bpmtool.errors"}, name
    assert [m for m, _ in _imports(MODULES["bpmtool.errors"]) if m.startswith("bpmtool")] == []


#: besides its own package: the API, errors and findings, the paths of the bundled example
#: files, and (for `bpmtool serve`) the web app
_FACE_MAY_IMPORT = (
    "bpmtool.api",
    "bpmtool.errors",
    "bpmtool.findings",
    "bpmtool._bundled",
    "bpmtool.web",
)


@pytest.mark.parametrize(
    "name", sorted(n for n in MODULES if n.startswith(("bpmtool.cli", "bpmtool.web")))
)
def test_the_cli_and_the_web_app_call_only_the_api(name: str) -> None:
    """A face assembles nothing: the CLI and the web app import bpmtool.api, bpmtool.errors
    and bpmtool.findings (and their own modules), at module level or inside a function."""
    own = ".".join(name.split(".")[:2])
    tree = ast.parse(MODULES[name].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "bpmtool" and node.level == 0:
            assert {a.name for a in node.names} <= {"api", "__version__"}, name
            continue
        modules = (
            [node.module]
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        for module in modules:
            if module.startswith("bpmtool.") and not module.startswith(own):
                assert module.startswith(_FACE_MAY_IMPORT), f"{name} imports {module}"
