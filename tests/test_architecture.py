"""The package's layers, read from the source with `ast` (nothing is imported).

A unit is a subpackage (`detente.actors`) or a top-level module (`detente.store`); the
CLI is one unit whether it is the flat `cli.py` + `cli_*.py` or the `cli/` package. Each
unit sits in one layer and may import only from its own layer or lower ones. Import
cycles are allowed only among the modules of one subpackage, and not even there in the
CLI (issue 13). Every import counts, including those inside functions and under
`TYPE_CHECKING`: a lazy import hides a dependency from the import system, not from a
reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Lowest first. A module may import from its own layer and the ones listed before it.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("base", frozenset({"errors", "version", "lazy", "jsonio", "settings", "date_input",
                        "records", "known_events", "dates", "nlp", "served"})),
    ("storage and actors", frozenset({"store", "actors"})),
    ("coding", frozenset({"coding"})),
    ("pipeline", frozenset({"ingest", "engine", "dedup"})),
    ("library", frozenset({"query", "frames", "library", "analysis", "export", "demo"})),
    # Offline tools: runtime code never imports them (STYLE.md).
    ("training and evaluation", frozenset({"training", "evaluation"})),
    ("surfaces", frozenset({"api", "cli"})),
    # `detente/__init__.py`, the public face: it may import anything, nothing imports it.
    ("package", frozenset({"detente"})),
)
LAYER_OF = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}
# Packages whose modules must not import each other in a cycle either.
ACYCLIC_PACKAGES = frozenset({"detente.cli"})


@dataclass(frozen=True)
class Import:
    """`importer` imports `imported` (both module names) at `where` ("file:line")."""

    importer: str
    imported: str
    where: str

    def __str__(self) -> str:
        return f"{self.where} imports {self.imported}"


def modules(src: Path, package: str = "detente") -> dict[str, Path]:
    """Every module of `package` under `src`, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        elif ".".join(parts) in found:
            continue  # `cli.py` beside a `cli/` package: Python imports the package
        found[".".join(parts)] = path
    return found


def imports(src: Path, package: str = "detente") -> list[Import]:
    """Every import of one of the package's modules by another."""
    known = modules(src, package)
    out: list[Import] = []
    for name, path in known.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(node, here, known):
                # `detente.actors.resolver.ActorResolver` is an import of the module
                while target not in known and "." in target:
                    target = target.rpartition(".")[0]
                found = Import(name, target, f"{path.relative_to(src).as_posix()}:{node.lineno}")
                if target in known and target != name and found not in out:
                    out.append(found)
    return out


def _targets(node: ast.AST, here: str, known: Mapping[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: `from . import x` inside `here`
            parents = here.split(".")[: len(here.split(".")) - node.level + 1]
            base = ".".join([*parents, *([node.module] if node.module else [])])
        for alias in node.names:
            # `from detente import query` names a module; `from detente import Event` not
            sub = f"{base}.{alias.name}"
            yield sub if sub in known else base


def unit(module: str) -> str:
    """`detente.actors.resolver` → actors, `detente.cli_serve` → cli, `detente` → detente."""
    parts = module.split(".")
    if len(parts) == 1:
        return parts[0]
    return "cli" if parts[1].startswith("cli_") else parts[1]


def package_of(module: str, known: Mapping[str, Path]) -> str:
    """The subpackage a module belongs to; a top-level module is a package of its own."""
    parts = module.split(".")
    if len(parts) >= 2 and known[module].parent != known[parts[0]].parent:
        return ".".join(parts[:2])
    return module


def upward(found: list[Import]) -> list[str]:
    """Imports from a higher layer than the importer's (a unit with no layer is reported by
    test_every_module_sits_in_a_layer instead)."""
    out = []
    for imp in found:
        low, high = LAYER_OF.get(unit(imp.importer)), LAYER_OF.get(unit(imp.imported))
        if low is not None and high is not None and high > low:
            out.append(f"{imp} ({LAYERS[high][0]}) from the {LAYERS[low][0]} layer")
    return out


def cycles(found: list[Import]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.importer, set()).add(imp.imported)
        graph.setdefault(imp.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                group.append(w)
            if group:
                groups.append(sorted([v, *group]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def forbidden_cycles(src: Path, package: str = "detente") -> list[list[str]]:
    """Cycles that span packages, or lie inside one of ACYCLIC_PACKAGES."""
    known = modules(src, package)
    out = []
    for group in cycles(imports(src, package)):
        # A top-level module is a package of its own, so one home means one subpackage.
        homes = {package_of(m, known) for m in group}
        if len(homes) > 1 or homes & ACYCLIC_PACKAGES:
            out.append(group)
    return out


# -- the checks on detente ---------------------------------------------------------------
def test_every_module_sits_in_a_layer() -> None:
    units = {unit(m) for m in modules(SRC)}
    assert units - LAYER_OF.keys() == set(), "add the new units to LAYERS in this file"


def test_no_module_imports_from_a_higher_layer() -> None:
    found = upward(imports(SRC))
    assert not found, "upward imports:\n" + "\n".join(found)


def test_no_import_cycle_outside_one_package() -> None:
    found = forbidden_cycles(SRC)
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(group) for group in found)


# -- the checks catch what they claim to -------------------------------------------------
def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / "detente" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small package: a store that imports the CLI, inside a function; two top-level
    modules in a cycle; and a subpackage whose modules import each other."""
    return _tree(tmp_path, {
        "__init__.py": "",
        "store.py": "def open():\n    from detente.cli_serve import serve\n",
        "cli.py": "from detente import cli_serve\n",
        "cli_serve.py": "from detente.cli import app\nfrom detente.store import open\n",
        "actors/__init__.py": "from .resolver import ActorResolver\n",
        "actors/resolver.py": "from detente.actors import mentions\n",
        "actors/mentions.py": "from . import resolver\nfrom ..errors import InputError\n",
        "errors.py": "class InputError(Exception): ...\n",
    })


def test_an_upward_import_inside_a_function_is_found(tree: Path) -> None:
    assert upward(imports(tree)) == [
        "detente/store.py:2 imports detente.cli_serve (surfaces) from the storage and actors layer"]


def test_a_cycle_between_top_level_modules_is_found_and_one_inside_a_package_is_not(
        tree: Path) -> None:
    assert forbidden_cycles(tree) == [["detente.cli", "detente.cli_serve", "detente.store"]]
    assert ["detente.actors.mentions", "detente.actors.resolver"] in cycles(imports(tree))


def test_the_cli_package_may_not_cycle_inside_itself(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"__init__.py": "", "cli/__init__.py": "",
                            "cli/main.py": "from detente.cli import serve\n",
                            "cli/serve.py": "from detente.cli.main import app\n"})
    assert forbidden_cycles(root) == [["detente.cli.main", "detente.cli.serve"]]
    assert {unit(m) for m in modules(root)} == {"detente", "cli"}
