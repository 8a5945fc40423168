"""The repository tools on real directories: analysis, a real pytest run, dependencies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetgraph.tools.repository import (
    analyse_codebase,
    check_dependencies,
    run_pytest,
    run_tests,
)

from test_supervisor_support import make_sample_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_sample_repo(tmp_path)


def test_analyse_codebase_counts_languages_definitions_and_markers(repo):
    (repo / ".venv" / "lib").mkdir(parents=True)
    (repo / ".venv" / "lib" / "ignored.py").write_text("def hidden():\n    pass\n" * 50)
    (repo / "node_modules").mkdir()
    (repo / "node_modules" / "x.js").write_text("// FIXME\n")
    (repo / "broken.py").write_text("def (:\n  # FIXME\n")

    report = analyse_codebase.invoke({"path": str(repo)})

    assert f"Repository {repo}: 5 files, 24 lines." in report
    assert "Languages: Python files=4 lines=20; TOML files=1 lines=4." in report
    assert "Largest files: tests/test_maths.py (9 lines), samplepkg/maths.py (8 lines)," in report
    assert "Python: functions=4 classes=1 (unparsable files=1)." in report
    assert "TODO/FIXME markers: 2." in report


def test_run_tests_reports_passed_and_failed_tests(repo):
    report = run_tests.invoke({"path": str(repo)})

    assert f"Repository {repo}: pytest passed=1 failed=1 errors=0 (exit code 1)." in report
    assert "FAILED tests/test_maths.py::test_greet" in report
    assert not list(repo.rglob("__pycache__")) and not (repo / ".pytest_cache").exists()


def test_a_test_run_that_times_out_is_reported(repo):
    (repo / "tests" / "test_slow.py").write_text(
        "import time\n\ndef test_slow():\n    time.sleep(30)\n"
    )

    assert "pytest timed out after 0.5s" in run_pytest(repo, timeout=0.5)


def test_a_directory_without_tests_says_so(tmp_path):
    (tmp_path / "app.py").write_text("print('hi')\n")

    assert "no pytest tests found" in run_tests.invoke({"path": str(tmp_path)})


def test_check_dependencies_flags_unpinned_versions(repo):
    (repo / "requirements-dev.txt").write_text(
        "# dev\n-r requirements.txt\npytest>=8\nruff==0.6.0\n"
    )
    (repo / "package.json").write_text(
        json.dumps({"dependencies": {"left-pad": "1.3.0", "react": "^18.2.0"}})
    )

    report = check_dependencies.invoke({"path": str(repo)})

    assert f"Repository {repo}: 6 dependencies (3 pinned, 3 unpinned)." in report
    assert "- requests ==2.32.3 [pyproject.toml]" in report
    assert "- rich (any version) [pyproject.toml]" in report
    assert "Unpinned: rich (any), pytest (>=8), react (^18.2.0)" in report


@pytest.mark.parametrize("tool", [analyse_codebase, run_tests, check_dependencies])
def test_a_path_that_is_not_a_directory_is_reported(tool, tmp_path):
    report = tool.invoke({"path": "review the repository at /nowhere"})

    assert report.startswith("Not a directory: 'review the repository at /nowhere'")
