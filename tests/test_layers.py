"""The layers of the package are its folders, and this test is their contract.

Data flows one way: records → TEI → database → web. Each subpackage may import only the layers
below it (LOWER); the library (everything but `web` and the command line) imports nothing of
Datasette, not even through another module; no module imports another's private names. The import
graph is read with `ast`: every form (`import a.b`, `from a import b`, `from . import b`, `from ..x
import y`, imports inside functions), transitively, in both directions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "quotecorpus"

# The foundation: the version, the exceptions, where things are, file digests.
FOUNDATION = {"quotecorpus", "quotecorpus.errors", "quotecorpus.layout", "quotecorpus.files"}
_LIBRARY_BASE = {"foundation", "text", "profile"}
# What each layer may import, besides itself.
LOWER: dict[str, set[str]] = {
    "foundation": set(),
    "text": {"foundation"},
    "profile": {"foundation", "text"},
    "records": _LIBRARY_BASE,
    "tei": _LIBRARY_BASE | {"records"},
    "search": _LIBRARY_BASE,
    "cite": _LIBRARY_BASE,
    "db": _LIBRARY_BASE | {"records", "tei", "search"},
    "dts": _LIBRARY_BASE | {"db", "cite"},
    "export": _LIBRARY_BASE | {"records", "tei", "db", "cite"},
    "propose": _LIBRARY_BASE | {"records", "tei"},
    "pipeline": _LIBRARY_BASE | {"records", "tei", "search", "cite", "db", "dts", "export"},
    # the web reads what the library publishes; of the pipeline, only which generation is current
    "web": _LIBRARY_BASE | {"records", "tei", "search", "cite", "db", "dts", "export", "quotecorpus.pipeline.publish"},
    "cli": {"*"},
}
WEB_ONLY = ("datasette",)  # third-party packages only the web layer may reach


def layer_of(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    parts = module.split(".")
    if parts[1] in ("cli", "__main__"):
        return "cli"
    return parts[1]


def modules_in(package: Path) -> dict[str, tuple[str, bool]]:
    """Every module of the package: name → (source, is a package's __init__)."""
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path.read_text(encoding="utf-8"), is_package)
    return found


def imports_of(name: str, source: str, is_package: bool, known: set[str]) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import statement of a module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from a import b` where a.b is a module imports the module a.b
            submodules = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in known]
            names = [a.name for a in node.names if f"{module}.{a.name}" not in known]
            if names or not submodules:
                found.append((module, names))
            found += [(m, []) for m in submodules]
    return found


def _allowed(importer: str, imported: str) -> bool:
    mine, theirs = layer_of(importer), layer_of(imported)
    allowed = LOWER[mine]
    return mine == theirs or "*" in allowed or theirs in allowed or imported in allowed


def violations(modules: dict[str, tuple[str, bool]]) -> list[str]:
    known = set(modules)
    graph: dict[str, set[str]] = {}
    third_party: dict[str, set[str]] = {}
    found = []
    for name, (source, is_package) in sorted(modules.items()):
        graph[name], third_party[name] = set(), set()
        for module, names in imports_of(name, source, is_package, known):
            if module.split(".")[0] != "quotecorpus":
                third_party[name].add(module.split(".")[0])
                continue
            if module != name:
                graph[name].add(module)
                if not _allowed(name, module):
                    found.append(f"{name} ({layer_of(name)}) imports {module} ({layer_of(module)})")
            found += [f"{name} imports the private name {module}.{n}" for n in names if n.startswith("_") and not n.startswith("__")]
    # transitively: what a library module reaches, through any chain of our modules
    for name in sorted(modules):
        if layer_of(name) in ("web", "cli"):
            continue
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            for nxt in graph.get(current, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reached = {m for m in seen if layer_of(m) in ("web", "cli")}
        reached |= {f"{p} (through {m})" for m in seen | {name} for p in third_party.get(m, ()) if p in WEB_ONLY}
        found += [f"{name} ({layer_of(name)}) reaches {r}" for r in sorted(reached)]
    return found


def test_every_module_stands_in_a_layer():
    modules = modules_in(PACKAGE)
    assert {layer_of(m) for m in modules} <= set(LOWER), sorted({layer_of(m) for m in modules} - set(LOWER))


def test_the_package_keeps_its_layers():
    assert violations(modules_in(PACKAGE)) == []


# Each deliberate break, in another import form: the guard must see every one.
BREAKS = {
    "a lower layer imports the web": ("quotecorpus.records.corpus", "from quotecorpus.web import search\n"),
    "a relative import upward": ("quotecorpus.tei.read", "from ..web import cells\n"),
    "from . import of a package": ("quotecorpus.db", "from . import load\nfrom .. import pipeline\n"),
    "a plain dotted import": ("quotecorpus.db.load", "import quotecorpus.web.serving\n"),
    "an import inside a function": ("quotecorpus.search.query", "def f():\n    from quotecorpus.db import load\n"),
    "the library reaches Datasette": ("quotecorpus.text.chars", "import datasette.utils\n"),
    "the web imports the build": ("quotecorpus.web.search", "from quotecorpus.pipeline import build\n"),
    "a private name": ("quotecorpus.web.dts", "from quotecorpus.web.export import _secret\n"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_the_guard_sees_a_deliberate_break(case):
    module, added = BREAKS[case]
    modules = modules_in(PACKAGE)
    source, is_package = modules[module]
    modules[module] = (source + "\n" + added, is_package)
    assert violations(modules), case


def test_the_guard_sees_a_break_through_another_module():
    """A library module that reaches Datasette only through a chain of our modules."""
    modules = modules_in(PACKAGE)
    modules["quotecorpus.text.sneaky"] = ("import datasette\n", False)
    source, is_package = modules["quotecorpus.records.corpus"]
    modules["quotecorpus.records.corpus"] = (source + "\nfrom quotecorpus.text import sneaky\n", is_package)
    found = violations(modules)
    assert "quotecorpus.records.corpus (records) reaches datasette (through quotecorpus.text.sneaky)" in found
    assert "quotecorpus.text.sneaky (text) reaches datasette (through quotecorpus.text.sneaky)" in found
