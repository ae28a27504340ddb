"""The history package's shape: no import cycle, every module importable on its own, small files,
and the exporters reach the database only through the store's public API."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HISTORY = REPO / "history"
MODULES = sorted(f"history.{p.stem}" for p in HISTORY.glob("*.py") if p.stem != "__init__")
MAX_LINES = 400


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported anywhere in the file (functions included), except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    return {
        f"history.{p.stem}": {m for m in _runtime_imports(p) if m in MODULES}
        for p in HISTORY.glob("*.py")
        if p.stem != "__init__"
    }


def test_history_modules_form_no_cycle() -> None:
    graph = _graph()
    assert len(graph) >= 8  # records, validation, engine, models, store, from_result, csv_io, fhir, files
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message names the cycle
        pytest.fail(f"import cycle in history/: {exc.args[1]}")
    assert order[0] in ("history.records", "history.models")
    assert graph["history.records"] == set()  # the leaf everyone shares
    assert graph["history.validation"] == {"history.records"}
    assert "history.csv_io" not in graph["history.store"]  # the old cycle, gone both ways
    assert "history.store" not in graph["history.csv_io"]


def test_cycle_detector_sees_a_cycle(tmp_path: Path) -> None:
    """The check above would catch the old store <-> csv_io cycle (a function-level import counts)."""
    a = tmp_path / "a.py"
    a.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import b\ndef f():\n    import c\n"
    )
    assert _runtime_imports(a) == {"typing", "typing.TYPE_CHECKING", "c"}
    with pytest.raises(CycleError):
        list(TopologicalSorter({"x": {"y"}, "y": {"x"}}).static_order())


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_no_history_file_over_400_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in HISTORY.glob("*.py")}
    assert max(sizes.values()) <= MAX_LINES, sizes


@pytest.mark.parametrize("module", ["csv_io", "fhir", "from_result"])
def test_exporters_use_only_the_public_store_api(module: str) -> None:
    path = HISTORY / f"{module}.py"
    imports = _runtime_imports(path)
    assert not {m for m in imports if m.startswith(("sqlalchemy", "history.models", "history.engine"))}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        ast.unparse(n)
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in ("store", "tx")
        if n.attr.startswith("_")
    ]
    assert private == []
