"""Repository review tools: real analysis of a directory on disk.

Each tool takes the repository's directory `path` and returns a short text report. Problems
with the directory (missing, not a directory, no tests, a test run that times out) are
reported in that text rather than raised, so a worker can say what went wrong.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from langchain_core.tools import tool

from fleetgraph.gateway.policy import RetrySpec, ToolPolicy

SKIPPED_DIRS = frozenset(
    {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".tox"}
)
_EXTENSIONS = {
    "Python": ".py .pyi",
    "JavaScript": ".js .jsx .mjs",
    "TypeScript": ".ts .tsx",
    "Go": ".go",
    "Rust": ".rs",
    "Java": ".java",
    "Kotlin": ".kt",
    "Ruby": ".rb",
    "C": ".c .h",
    "C++": ".cpp .hpp .cc",
    "C#": ".cs",
    "Shell": ".sh",
    "SQL": ".sql",
    "HTML": ".html",
    "CSS": ".css",
    "Markdown": ".md",
    "reStructuredText": ".rst",
    "TOML": ".toml",
    "YAML": ".yaml .yml",
    "JSON": ".json",
    "INI": ".cfg .ini",
    "Text": ".txt",
}
LANGUAGES = {ext: name for name, exts in _EXTENSIONS.items() for ext in exts.split()}
MAX_FILE_BYTES = 2_000_000
LARGEST_SHOWN = 5
TEST_TIMEOUT_SECONDS = 120.0
_MARKER = re.compile(r"\b(?:TODO|FIXME)\b")
_SUMMARY_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)\b")
_EXACT_PIN = re.compile(r"^\s*===?\s*[^\s*,;]+\s*$")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


@tool
def analyse_codebase(path: str) -> str:
    """Review a repository's code at a directory path: files and lines per language, the
    largest files, Python functions and classes, and TODO/FIXME markers."""
    root, problem = _directory(path)
    if root is None:
        return problem
    files: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    sizes: list[tuple[int, str]] = []
    functions = classes = unparsable = markers = 0
    for file in _source_files(root):
        language = LANGUAGES.get(file.suffix.lower())
        text = _read_text(file)
        if language is None or text is None:
            continue
        count = len(text.splitlines())
        files[language] += 1
        lines[language] += count
        sizes.append((count, file.relative_to(root).as_posix()))
        markers += len(_MARKER.findall(text))
        if language == "Python":
            try:
                nodes = list(ast.walk(ast.parse(text)))
            except (SyntaxError, ValueError):
                unparsable += 1
                continue
            functions += sum(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in nodes)
            classes += sum(isinstance(n, ast.ClassDef) for n in nodes)
    if not files:
        return f"Repository {root}: no source files found."
    by_language = "; ".join(
        f"{name} files={files[name]} lines={lines[name]}"
        for name in sorted(files, key=lambda n: (-lines[n], n))
    )
    largest = ", ".join(
        f"{name} ({count} lines)"
        for count, name in sorted(sizes, key=lambda s: (-s[0], s[1]))[:LARGEST_SHOWN]
    )
    report = [
        f"Repository {root}: {sum(files.values())} files, {sum(lines.values())} lines.",
        f"Languages: {by_language}.",
        f"Largest files: {largest}.",
        f"Python: functions={functions} classes={classes}"
        + (f" (unparsable files={unparsable})." if unparsable else "."),
        f"TODO/FIXME markers: {markers}.",
    ]
    return "\n".join(report)


@tool
def run_tests(path: str) -> str:
    """Run a repository's test suite with pytest in its directory path and report how many
    tests passed, failed or errored."""
    root, problem = _directory(path)
    if root is None:
        return problem
    return run_pytest(root, TEST_TIMEOUT_SECONDS)


@tool
def check_dependencies(path: str) -> str:
    """Audit a repository's dependencies at a directory path (pyproject.toml,
    requirements*.txt, package.json): list them and flag unpinned versions."""
    root, problem = _directory(path)
    if root is None:
        return problem
    found: list[Dependency] = []
    notes: list[str] = []
    for reader in (_pyproject_dependencies, _requirements_dependencies, _package_json_dependencies):
        deps, note = reader(root)
        found += deps
        notes += [note] if note else []
    if not found:
        return f"Repository {root}: no declared dependencies found." + "".join(
            f" {note}" for note in notes
        )
    unpinned = [d for d in found if not d.pinned]
    lines = [
        f"Repository {root}: {len(found)} dependencies "
        f"({len(found) - len(unpinned)} pinned, {len(unpinned)} unpinned).",
        *(f"- {d.name} {d.spec or '(any version)'} [{d.source}]" for d in found),
    ]
    if unpinned:
        lines.append("Unpinned: " + ", ".join(f"{d.name} ({d.spec or 'any'})" for d in unpinned))
    return "\n".join([*lines, *notes])


def run_pytest(root: Path, timeout: float) -> str:
    """Run pytest in `root` in a child process; a timeout is reported, not raised."""
    if not _has_pytest_tests(root):
        return f"Repository {root}: no pytest tests found (no tests/ directory or test_*.py)."
    if importlib.util.find_spec("pytest") is None:
        return f"pytest is not installed for {sys.executable}; cannot run the tests."
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"Repository {root}: pytest timed out after {timeout:g}s (no result)."
    counts = _summary_counts(done.stdout)
    failures = [line for line in done.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    summary = (
        f"Repository {root}: pytest passed={counts.get('passed', 0)} "
        f"failed={counts.get('failed', 0)} errors={counts.get('errors', 0)} "
        f"(exit code {done.returncode})."
    )
    return "\n".join([summary, *failures[:10]])


@dataclass(frozen=True)
class Dependency:
    name: str
    spec: str
    source: str
    pinned: bool


def _directory(path: str) -> tuple[Path | None, str]:
    root = Path(path.strip()).expanduser()
    if not root.is_dir():
        return None, f"Not a directory: {path!r}. Pass the repository's directory path."
    return root.resolve(), ""


def _source_files(root: Path) -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        found += [Path(folder, name) for name in sorted(names)]
    return found


def _read_text(file: Path) -> str | None:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            return None
        return file.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _has_pytest_tests(root: Path) -> bool:
    if (root / "tests").is_dir():
        return True
    return any(
        f.suffix == ".py" and (f.name.startswith("test_") or f.stem.endswith("_test"))
        for f in _source_files(root)
    )


def _summary_counts(output: str) -> dict[str, int]:
    """Counts from pytest's last summary line, such as '1 failed, 2 passed in 0.1s'."""
    for line in reversed(output.strip().splitlines()):
        found = _SUMMARY_COUNT.findall(line)
        if found:
            return {("errors" if k.startswith("error") else k): int(n) for n, k in found}
    return {}


def _python_dependency(requirement: str, source: str) -> Dependency | None:
    requirement = requirement.split(";", 1)[0].split("#", 1)[0].strip()
    match = _REQUIREMENT.match(requirement)
    if not requirement or match is None:
        return None
    name, _extras, spec = match.groups()
    spec = spec.strip()
    return Dependency(name, spec, source, bool(_EXACT_PIN.match(spec)))


def _pyproject_dependencies(root: Path) -> tuple[list[Dependency], str]:
    file = root / "pyproject.toml"
    if not file.is_file():
        return [], ""
    try:
        project = tomllib.loads(file.read_text("utf-8")).get("project", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return [], f"pyproject.toml could not be read: {error}."
    deps = (_python_dependency(r, "pyproject.toml") for r in project.get("dependencies", []))
    return [d for d in deps if d is not None], ""


def _requirements_dependencies(root: Path) -> tuple[list[Dependency], str]:
    found: list[Dependency] = []
    for file in sorted(root.glob("requirements*.txt")):
        for line in (_read_text(file) or "").splitlines():
            if line.strip().startswith("-"):
                continue  # options and includes (-r, -e, --hash)
            dep = _python_dependency(line, file.name)
            found += [dep] if dep else []
    return found, ""


def _package_json_dependencies(root: Path) -> tuple[list[Dependency], str]:
    file = root / "package.json"
    if not file.is_file():
        return [], ""
    try:
        package = json.loads(file.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return [], f"package.json could not be read: {error}."
    found = []
    for section in ("dependencies", "devDependencies"):
        for name, version in sorted(package.get(section, {}).items()):
            exact = bool(re.fullmatch(r"=?v?\d+\.\d+\.\d+(?:[-+][\w.]+)?", str(version).strip()))
            found.append(Dependency(name, str(version), f"package.json {section}", exact))
    return found, ""


REPOSITORY_TOOLS = (analyse_codebase, run_tests, check_dependencies)
REPOSITORY_POLICIES = {
    "analyse_codebase": ToolPolicy(timeout_seconds=60),
    # Running a repository's tests executes its code: medium risk, announced as such. The
    # run reports its own timeout; the gateway's is longer and never retries it.
    "run_tests": ToolPolicy(
        risk="medium", timeout_seconds=TEST_TIMEOUT_SECONDS + 30, retry=RetrySpec(1)
    ),
    "check_dependencies": ToolPolicy(timeout_seconds=15),
}
