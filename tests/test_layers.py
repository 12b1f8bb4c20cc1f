"""The dependency arrows of README "How it is built", read from the imports (ast):
tools -> client -> contract -> domain; worker -> workflows, activities -> contract -> domain.
Only the worker, benchmarks and tests import workflows/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "activities",
    "cli",
    "client",
    "contract",
    "devtools",
    "domain",
    "runtime",
    "web",
    "workflows",
    "sage_mock",
)

MAY_NOT_IMPORT = {
    "domain": {
        "activities",
        "cli",
        "client",
        "contract",
        "devtools",
        "runtime",
        "web",
        "workflows",
        "sage_mock",
        "temporalio",
        "httpx",
        "fastapi",
    },
    "contract": {
        "activities",
        "cli",
        "client",
        "devtools",
        "runtime",
        "web",
        "workflows",
        "sage_mock",
    },
    "client": {"activities", "cli", "devtools", "web", "workflows", "sage_mock"},
    "cli": {"activities", "devtools", "web", "workflows", "sage_mock"},
    "activities": {"cli", "client", "devtools", "web", "workflows"},
    "runtime": {"activities", "cli", "client", "devtools", "web", "workflows", "sage_mock"},
    "workflows": {"activities", "cli", "client", "devtools", "runtime", "web", "sage_mock"},
    "devtools": {"workflows"},
    "web": {"workflows", "activities"},
    "sage_mock": {
        "activities",
        "cli",
        "client",
        "contract",
        "devtools",
        "runtime",
        "web",
        "workflows",
    },
}
"""Per layer, the top-level modules it must never import."""


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []


@pytest.mark.parametrize("package", sorted(MAY_NOT_IMPORT))
def test_each_layer_imports_only_what_its_arrows_allow(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(imports(path) & MAY_NOT_IMPORT[package])
        for path in modules(package)
    }
    assert not {k: v for k, v in wrong.items() if v}


def test_only_the_worker_benchmarks_and_tests_import_workflows() -> None:
    allowed = {"worker.py", "workflows", "bench", "tests"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("**/*.py")
        if ".venv" not in path.parts
        and path.relative_to(ROOT).parts[0] not in allowed
        and "workflows" in imports(path)
    ]
    assert not offenders


def test_the_command_line_entry_is_a_few_lines() -> None:
    assert len((ROOT / "starter.py").read_text().splitlines()) <= 20
