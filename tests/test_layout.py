"""The code map's rule: imports go one way, accounts ← gallery ← pipeline ← studio ← videogen."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["accounts", "gallery", "pipeline", "studio", "videogen"]


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found & set(ORDER)


def test_each_package_imports_only_those_to_its_left():
    wrong = {}
    for index, package in enumerate(ORDER):
        allowed = set(ORDER[: index + 1])
        for path in (ROOT / package).rglob("*.py"):
            if bad := _imported_packages(path) - allowed:
                wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert wrong == {}
