"""The package shows its plan: one folder per concern, dependencies pointing one way, no cycles.

Reads every module's imports with `ast` (no import is executed), so a cycle or a wrong-way
import fails here before it surprises someone at runtime.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "impart"

# What each concern may import from the rest of impart (beyond itself and the top-level settings).
ALLOWED = {
    "content": set(),
    "intake": {"content"},
    "serve": {"intake", "inbox"},  # site_app mounts the inbox on the handler
    "speed": {"content", "serve"},  # serve: the registry names the waitress release the server declares
    "inbox": {"intake"},  # the accounts file is written with the proposals' own atomic-write and lock
    "cli": {"content", "intake", "serve", "inbox"},  # the command at the top: it uses every concern, none uses it
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every impart module a file imports, at any depth (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    modules = {module_name(path) for path in PACKAGE.rglob("*.py")}
    return {name for name in found if name in modules and name.startswith("impart")}


GRAPH = {module_name(path): imports_of(path) for path in sorted(PACKAGE.rglob("*.py"))}


def concern(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "top"


def test_each_concern_has_its_folder():
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert folders == set(ALLOWED)
    flat = {path.name for path in PACKAGE.glob("*.py")}
    assert flat == {"__init__.py", "__main__.py", "settings.py", "wsgi.py"}


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if concern(m) in ALLOWED))
def test_dependencies_point_one_way(module):
    own = concern(module)
    wrong = {
        target
        for target in GRAPH[module]
        if concern(target) not in {own, "top"} | ALLOWED[own]
        or (concern(target) == "top" and target != "impart.settings")
    }
    assert not wrong, f"{module} imports {sorted(wrong)}; {own}/ may use only {sorted(ALLOWED[own]) or 'nothing'}"


def test_no_import_cycles():
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(GRAPH.get(module, ())):
            if state.get(target) == "open":
                raise AssertionError(" -> ".join([*path, module, target]))
            if target not in state:
                visit(target, [*path, module])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])
