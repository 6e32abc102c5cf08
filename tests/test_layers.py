"""The layers of issue 15 that the renderers, the CLI and the read services keep: only `cli/` imports typer
(or click), nothing imports the CLI, the services never import the renderers, and no service or parser writes
to stdout or stderr itself (the renderers do)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "tenderscan"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (at the top or inside a function), relative imports resolved."""
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
    return out


MODULES = {_module(p): p for p in sorted(SRC.rglob("*.py"))}


def _layer(mod: str) -> str:
    return mod.split(".")[1] if mod.count(".") else ""


@pytest.mark.parametrize("mod", [m for m in MODULES if _layer(m) != "cli"])
def test_only_the_cli_imports_typer_and_nothing_imports_the_cli(mod):
    imported = _imports(MODULES[mod])
    assert not {i for i in imported if i.split(".")[0] in ("typer", "click")}, mod
    if mod != "tenderscan.__main__":  # `python -m tenderscan` runs the CLI
        assert not {i for i in imported if i.startswith("tenderscan.cli")}, mod


@pytest.mark.parametrize("mod", [m for m in MODULES if _layer(m) == "services"])
def test_services_never_import_the_renderers(mod):
    assert not {i for i in _imports(MODULES[mod]) if i.startswith("tenderscan.render")}, mod


@pytest.mark.parametrize("mod", [m for m in MODULES if _layer(m) in ("services", "documents", "formats", "store")])
def test_library_code_never_prints(mod):
    tree = ast.parse(MODULES[mod].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            pytest.fail(f"{mod}:{node.lineno} calls print()")
        if isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") and \
                isinstance(node.value, ast.Name) and node.value.id == "sys":
            pytest.fail(f"{mod}:{node.lineno} uses sys.{node.attr}")


@pytest.mark.parametrize("mod", [m for m in MODULES if _layer(m) == "sources"])
def test_the_portals_never_import_the_store_the_documents_or_the_services(mod):
    """sources/ (the portals, the bulk service and its journal) hand bytes and records up; the services
    put them into the store."""
    bad = {i for i in _imports(MODULES[mod])
           if i.startswith(("tenderscan.store", "tenderscan.documents", "tenderscan.services"))}
    assert not bad, (mod, bad)
