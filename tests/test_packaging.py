"""The wheel installs one import root, and works from a clean virtual environment."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("fleetgraph-*.whl"))


@pytest.mark.slow
def test_the_wheel_has_one_import_root(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    roots = {name.split("/", 1)[0] for name in names}

    assert roots == {"fleetgraph", next(r for r in roots if r.endswith(".dist-info"))}
    for module in (
        "graphs/router.py",
        "nodes/worker.py",
        "tools/support.py",
        "checkpoints/server.py",
        "tools/data/help_center.json",
        "py.typed",
    ):
        assert f"fleetgraph/{module}" in names


@pytest.mark.slow
def test_the_wheel_runs_the_router_from_a_clean_venv(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "POSTGRES", "DATABASE"))
    }
    env["FLEETGRAPH_HOME"] = str(tmp_path / "home")

    done = subprocess.run(
        [str(env_dir / "bin" / "fleetgraph"), "run", "router", "reset my password"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "KB-101" in done.stdout and "offline model" in done.stdout
    imported = subprocess.run(
        [
            str(python),
            "-c",
            "import fleetgraph, importlib.util as u; "
            "print(fleetgraph.__file__, u.find_spec('tools'), u.find_spec('nodes'))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in imported.stdout and imported.stdout.strip().endswith("None None")
