"""How often the profile's knowledge is spelled again by hand: string literals outside the profile that
equal a field or column name (issue 20's measure). A measure, not a test.

Run: .venv/bin/python scripts/count_profile_literals.py [PACKAGE_DIR]   (default: scripts/quotecorpus)
It counts Python string constants (not docstrings) equal to a name, per module, and prints the total.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

from quotecorpus import profile as P


def names() -> set[str]:
    found = {f.name for r in (*P.REGISTERS, P.NESTED, P.EXCLUSIONS) for f in r.fields}
    found |= {c.name for r in P.REGISTERS for c in r.columns} | {c.name for c in P.TRANSLITERATIONS_COLUMNS}
    return found


def count(package: Path) -> Counter:
    wanted, found = names(), Counter()
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if rel.parts[0] in ("profile", "profile.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings and node.value in wanted:
                found[str(rel)] += 1
    return found


if __name__ == "__main__":
    package = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "quotecorpus"
    found = count(package)
    for module, n in found.most_common(12):
        print(f"{n:5d}  {module}")
    print(f"{sum(found.values()):5d}  in all, {len(found)} modules")
