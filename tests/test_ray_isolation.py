"""Architecture: Ray is an optional extra, imported only by projner.ray_engine, and
there only inside functions (so projner, and `import projner.ray_engine`, work without it)."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "projner"


def _ray_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(id(n) for n in tree.body)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        if any(n == "ray" or n.startswith("ray.") for n in names):
            yield node.lineno, id(node) in top


def test_only_the_ray_engine_imports_ray_and_only_inside_functions():
    outside, top_level = [], []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for lineno, at_top in _ray_imports(path):
            if not rel.startswith("ray_engine/"):
                outside.append(f"{rel}:{lineno}")
            elif at_top:
                top_level.append(f"{rel}:{lineno}")
    assert outside == [], f"ray imported outside projner.ray_engine: {outside}"
    assert top_level == [], f"ray imported at module level: {top_level}"


def test_the_engine_package_imports_without_starting_ray():
    import subprocess
    import sys

    code = "import sys, projner.ray_engine, projner.cli; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
