"""The shape of the code (docs/ARCHITECTURE.md): layers import only downward, no import loop,
project imports at the top of modules (a third-party one inside a function says why), no module
over 500 lines, no repeated block of six lines,
every package folder installed under the plankb namespace."""
from __future__ import annotations

import ast
import hashlib
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("kb", "ingest", "viz", "bench", "api", "ontology")
# Rank of each layer: a module may import its own layer and the ones below (lower rank).
# ontology/ is data (the model's files) that any layer may locate.
LAYER_RANK = {"ontology": -1, "kb": 0, "ingest": 1, "viz": 2, "bench": 3, "api": 4}
# Inside kb/: ground types and names < rdf < store < align < link < query < catalog < export.
KB_RANK = {"__init__": 0, "errors": 0, "text": 1, "settings": 1, "models": 2, "ids": 2, "terms": 2, "rdf": 3, "store": 4,
           "align": 5, "link": 6, "query": 7, "catalog": 8, "export": 9}
MAX_LINES = 500
DUPLICATE_WINDOW = 6


def _modules() -> dict[str, Path]:
    out = {}
    for folder in FOLDERS:
        for p in sorted((ROOT / folder).rglob("*.py")):
            parts = p.relative_to(ROOT).with_suffix("").parts
            name = ".".join(("plankb", *parts[:-1])) if parts[-1] == "__init__" else ".".join(("plankb", *parts))
            out[name] = p
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The most specific project module a dotted name refers to (a module, or a name in one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(project module imported, line, at module level?) for every project import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    for n in tree.body:  # imports under a module-level `if TYPE_CHECKING:` / try count as top level
        if isinstance(n, (ast.If, ast.Try)):
            top |= {id(c) for c in ast.walk(n)}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        for n in names:
            if n.startswith("plankb."):
                target = _resolve(n)
                if target:
                    found.append((target, node.lineno, id(node) in top))
    return found


def _is_type_checking_only(path: Path, line: int) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for n in tree.body:
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            if n.lineno <= line <= (n.end_lineno or n.lineno):
                return True
    return False


def _layer(module: str) -> str:
    return module.split(".")[1]


def _kb_rank(module: str) -> int:
    parts = module.split(".")
    return KB_RANK.get(parts[2] if len(parts) > 2 else "__init__", 9)


def test_layers_import_only_downward():
    upward = []
    for mod, path in MODULES.items():
        for target, line, _ in _imports(path):
            if _is_type_checking_only(path, line):
                continue
            a, b = _layer(mod), _layer(target)
            if LAYER_RANK[b] > LAYER_RANK[a]:
                upward.append(f"{path.relative_to(ROOT)}:{line} ({a}) imports {target} ({b})")
            elif a == b == "kb" and _kb_rank(target) > _kb_rank(mod):
                upward.append(f"{path.relative_to(ROOT)}:{line} (kb.{mod.split('.')[2]}) imports {target}")
    assert upward == [], "upward imports:\n" + "\n".join(upward)


def test_no_import_loop():
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, path in MODULES.items():
        for target, line, _ in _imports(path):
            if target != mod and not _is_type_checking_only(path, line) and not mod.startswith(target + "."):
                graph[mod].add(target)  # a module importing its own package's __init__ is no loop
    seen: dict[str, int] = {}
    stack: list[str] = []
    loops: list[str] = []

    def visit(m: str) -> None:
        seen[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if seen.get(t) == 1:
                loops.append(" -> ".join(stack[stack.index(t):] + [t]))
            elif t not in seen:
                visit(t)
        stack.pop()
        seen[m] = 2

    for m in sorted(MODULES):
        if m not in seen:
            visit(m)
    assert loops == [], "import loops:\n" + "\n".join(loops)


def test_project_imports_are_at_the_top():
    inside = [f"{p.relative_to(ROOT)}:{line} imports {t} inside a function"
              for m, p in MODULES.items() for t, line, top in _imports(p) if not top]
    assert inside == [], "\n".join(inside)


def test_imports_inside_functions_say_why():
    """A third-party import inside a function (a heavy or optional package, loaded when needed)
    carries a comment saying why; module-level `if`/`try` imports are at the top."""
    silent = []
    for p in MODULES.values():
        lines = p.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        at_top = {id(m) for n in tree.body if isinstance(n, (ast.If, ast.Try)) for m in ast.walk(n)}
        at_top |= {id(n) for n in tree.body}
        for n in ast.walk(tree):
            if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in at_top:
                if not any("#" in line for line in lines[n.lineno - 1:n.end_lineno]):
                    silent.append(f"{p.relative_to(ROOT)}:{n.lineno}")
    assert silent == [], "imports inside functions without a comment saying why: " + ", ".join(silent)


def test_no_module_over_the_size_limit():
    big = {str(p.relative_to(ROOT)): n for p in MODULES.values()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}, f"modules over {MAX_LINES} lines: {big}"


def test_stage_modules_open_with_a_docstring():
    missing = [str(p.relative_to(ROOT)) for p in MODULES.values()
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == [], f"modules without a docstring: {missing}"


_THIN = re.compile(r"^[\s()\[\]{},:;.]*$|^(?:from|import)\s|^#|^@|^(?:pass|return|else:|try:|finally:)$")


def _code_lines(path: Path) -> list[tuple[int, str]]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        s = " ".join(line.split())
        if s and not _THIN.match(s):
            out.append((i, s))
    return out


def test_no_repeated_block_outside_tests():
    """No run of six identical code lines (blank, comment, import and punctuation lines skipped) in
    two places of the package code: one piece of code where the logic is the same."""
    where: dict[str, list[str]] = defaultdict(list)
    for p in MODULES.values():
        lines = _code_lines(p)
        for k in range(len(lines) - DUPLICATE_WINDOW + 1):
            window = lines[k:k + DUPLICATE_WINDOW]
            if sum(len(s) for _, s in window) < 120:  # thin runs (short calls, keywords) are not logic
                continue
            key = hashlib.sha1("\n".join(s for _, s in window).encode()).hexdigest()
            where[key].append(f"{p.relative_to(ROOT)}:{window[0][0]}")
    repeated = sorted({" ~ ".join(sorted(set(v))) for v in where.values() if len(set(v)) > 1})
    assert repeated == [], "repeated blocks:\n" + "\n".join(repeated)


def test_every_package_folder_is_installed_under_plankb():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(conf["packages"])
    folders = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    assert folders - listed == set(), "package folders missing from pyproject.toml [tool.setuptools] packages"
    assert all(name.startswith("plankb.") for name in listed)


def test_no_generic_top_level_name_is_installed(tmp_path):
    """Outside the source tree, the installed project answers to plankb.* only."""
    code = ("import importlib.util as u\n"
            "print([n for n in ('kb', 'ingest', 'api', 'viz', 'bench', 'ontology') if u.find_spec(n)],"
            " all(u.find_spec('plankb.' + n) for n in ('kb', 'ingest', 'api', 'viz', 'bench', 'ontology')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"], out.stdout + out.stderr
