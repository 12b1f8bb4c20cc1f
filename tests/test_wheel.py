"""The built wheel holds every package of the product (pyproject's `packages.find`), templates
and static files of the approvers' page included: an image or a `pip install .` works without
the source tree. Built from a copy, so the run leaves the tree as it was (~2 s)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    ".data",
    "build",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "tests",
    "docs",
    "keys",
)


def product_packages() -> set[str]:
    """Every folder of the source tree with an __init__.py, outside tests/ and bench/."""
    return {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in ROOT.glob("*/**/__init__.py")
        if init.relative_to(ROOT).parts[0] not in {"tests", "bench", ".venv", "build"}
    }


def test_the_wheel_holds_every_package(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=SKIP)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
        ],
        cwd=source,
        check=True,
        capture_output=True,
    )
    [wheel] = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packaged = {
        name.rsplit("/", 1)[0].replace("/", ".") for name in names if name.endswith("/__init__.py")
    }
    assert product_packages() <= packaged, sorted(product_packages() - packaged)
    assert {"starter.py", "worker.py"} <= set(names)
    for folder in ("web/templates", "web/static"):
        if (ROOT / folder).is_dir():
            assert any(name.startswith(folder + "/") for name in names), folder
