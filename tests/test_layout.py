"""The package's layers, checked from its source (README "Development"): each module's imports, every
one of them (at the top, inside a function, under TYPE_CHECKING), go only where its layer may look, and
only the commands write.

    cli ─→ commands (workspace, outfile) ─→ domain (tasks … compensation/) ─→ model/ ─→ sheet ─→ backends/
                    └─→ render/ (views) ─→ domain, model

A new module belongs to one layer: add it to LAYERS.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "handover"

# Every module by layer; a package name stands for every module in it.
LAYERS = {
    "api": {"handover", "handover.__main__"},
    "cli": {"handover.cli", "handover.cli_chinese", "handover.clipboard"},
    "commands": {"handover.commands", "handover.workspace", "handover.outfile"},
    "render": {"handover.render"},
    "domain": {"handover.tasks", "handover.messages", "handover.returns", "handover.timers", "handover.deadlines",
               "handover.summary", "handover.shop_calendar", "handover.results", "handover.compensation",
               "handover.exports", "handover.returns_import"},
    "model": {"handover.model"},
    "backends": {"handover.backends"},
    # What every layer may use: the errors, the Backend interface, and text and bulk-work helpers.
    "base": {"handover.errors", "handover.sheet", "handover.textwidth", "handover.printable", "handover.bulk"},
}
# Which layers each layer may import (its own included).
MAY_IMPORT = {
    "api": set(LAYERS),
    "cli": {"cli", "commands", "render", "domain", "model", "base"},
    "commands": {"commands", "render", "domain", "model", "backends", "base"},
    "render": {"render", "domain", "model", "base"},
    "domain": {"domain", "model", "base"},
    "model": {"model", "base"},
    "backends": {"backends", "base"},
    "base": {"base"},
}
# Libraries only one place may use: click is the CLI's, the spreadsheet libraries the backends' (and the
# payout workbook's, which finance opens; exports are read with calamine too).
LIBRARIES = {
    "click": {"cli"},
    "gspread": {"backends"},
    "google": {"backends"},
    "openpyxl": {"backends", "handover.render.payouts_xlsx"},
    "python_calamine": {"backends", "handover.exports"},
    "jinja2": {"render"},
}
# What writes a file, outside the backends and the commands (the only writers).
WRITERS = {"tempfile", "shutil", "glob"}
OS_WRITES = {"replace", "rename", "unlink", "remove", "link", "symlink", "chmod", "chown", "mkdir", "makedirs",
             "rmdir", "fsync"}
PATH_WRITES = {"write_bytes", "write_text", "mkdir", "unlink", "rename", "chmod", "touch", "symlink_to", "hardlink_to"}

def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def layer_of(module: str) -> str | None:
    best = None
    for layer, names in LAYERS.items():
        for name in names:
            if module == name or module.startswith(name + "."):
                if best is None or len(name) > len(best[1]):
                    best = (layer, name)
    return best[0] if best else None


def imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the module, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = modules()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import views`: the submodule itself, when it is one
            subs = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known]
            found += [(node.lineno, sub) for sub in subs] or [(node.lineno, target)]
    return found


def test_every_module_is_in_a_layer():
    assert [module for module in modules() if layer_of(module) is None] == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_each_module_imports_only_what_its_layer_may(module):
    path = modules()[module]
    layer = layer_of(module)
    wrong = []
    for line, target in imports(module, path):
        root = target.split(".")[0]
        if root == "handover":
            if layer_of(target) not in MAY_IMPORT[layer]:
                wrong.append(f"{path.name}:{line} imports {target} ({layer_of(target)})")
        elif root in LIBRARIES:
            allowed = LIBRARIES[root]
            if layer not in allowed and not any(module == name or module.startswith(name + ".") for name in allowed):
                wrong.append(f"{path.name}:{line} imports {target}")
    assert wrong == [], f"{module} is in the {layer} layer"


def writes(module: str, path: Path) -> list[str]:
    """Where a module writes a file or the sheet: file-writing modules imported, os and Path calls that
    change the file system, open() for writing, a backend's write()."""
    found = [f"{path.name}:{line} imports {target}" for line, target in imports(module, path) if target in WRITERS]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute):
            name, receiver = node.func.attr, ast.unparse(node.func.value)
            if (receiver == "os" and name in OS_WRITES) or name in PATH_WRITES or (name == "write" and "backend" in receiver):
                found.append(f"{path.name}:{node.lineno} {receiver}.{name}(…)")
        elif isinstance(node.func, ast.Name) and node.func.id == "open":
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                found.append(f"{path.name}:{node.lineno} open(…, {mode.value!r})")
    return found


@pytest.mark.parametrize("module", sorted(m for m in modules() if layer_of(m) in ("domain", "model", "render", "base")))
def test_only_the_commands_write(module):
    """A domain, model or render module computes: it never writes the sheet, a file or a folder, nor looks
    for files (the commands resolve `exports/*.csv`). Reading an export a command named is computing. The
    backends are how the commands write; the CLI prints, and puts text on the clipboard."""
    assert writes(module, modules()[module]) == []


def test_the_checks_see_a_wrong_import_and_a_write(tmp_path):
    """The walk above finds imports hidden in functions and under TYPE_CHECKING, relative or not, and
    writes of every kind."""
    module = tmp_path / "handover" / "model" / "sneaky.py"
    module.parent.mkdir(parents=True)
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..render import views\n"
                      "def f():\n    from ..backends.xlsx import XlsxBackend\n    import handover.commands\n",
                      encoding="utf-8")
    found = [target for _, target in imports("handover.model.sneaky", module)]
    assert {"handover.render.views", "handover.backends.xlsx", "handover.commands"} <= set(found)
    assert {layer_of(target) for target in found if target.startswith("handover")} == {"render", "backends", "commands"}
    module.write_text("import os\nfrom glob import glob\ndef f(path, workspace):\n    os.replace(path, path)\n"
                      "    path.write_text('x')\n    open(path, 'w')\n    workspace.backend.write([])\n"
                      "    'a'.replace('a', 'b')\n    open(path)\n", encoding="utf-8")
    assert [entry.split(" ", 1)[1] for entry in writes("handover.model.sneaky", module)] == [
        "imports glob", "os.replace(…)", "path.write_text(…)", "open(…, 'w')", "workspace.backend.write(…)"]
