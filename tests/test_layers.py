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


def _from_module(node: ast.ImportFrom, package: str) -> str:
    """The absolute name of the module a ``from ... import`` statement in ``package`` reads from."""
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (at the top or inside a function), relative imports resolved."""
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            name = _from_module(node, package)
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


@pytest.mark.parametrize("mod", [m for m in MODULES if _layer(m) not in ("cli", "render") and m != "tenderscan.__main__"])
def test_library_code_never_prints(mod):
    tree = ast.parse(MODULES[mod].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            pytest.fail(f"{mod}:{node.lineno} calls print()")
        if isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") and \
                isinstance(node.value, ast.Name) and node.value.id == "sys":
            pytest.fail(f"{mod}:{node.lineno} uses sys.{node.attr}")


# What each lower layer may not import (ARCHITECTURE.md): the store only stores, portals only fetch, the
# parsers only parse, the documents layer never reaches up into the services or the output.
_NEVER = {
    "store": ("formats", "sources", "documents", "services", "render", "flags"),
    "sources": ("store", "documents", "services", "render", "flags"),
    "formats": ("sources", "store", "documents", "services", "render", "flags"),
    "safety": ("formats", "sources", "store", "documents", "services", "render", "flags"),
    "documents": ("services", "render", "sources"),
    "flags": ("services", "render", "sources", "store"),
}


@pytest.mark.parametrize("mod", [m for m in MODULES if _layer(m) in _NEVER])
def test_lower_layers_never_import_the_upper_ones(mod):
    above = {f"tenderscan.{layer}" for layer in _NEVER[_layer(mod)]}
    bad = {i for i in _imports(MODULES[mod]) if ".".join(i.split(".")[:2]) in above}
    assert not bad, f"{mod} imports {sorted(bad)}"


def _graph() -> dict[str, set[str]]:
    """Module -> the tenderscan modules it imports (at the top or inside a function): ``from P import m``
    counts the module ``P.m`` where there is one, else ``P`` (the module defining the name)."""
    def module_of(name: str) -> str | None:
        while name and name not in MODULES:
            name = name.rsplit(".", 1)[0] if "." in name else ""
        return name or None

    graph: dict[str, set[str]] = {}
    for mod, path in MODULES.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(module_of(a.name) for a in node.names if a.name.startswith("tenderscan"))
            elif isinstance(node, ast.ImportFrom):
                name = _from_module(node, package)
                if name.startswith("tenderscan"):
                    edges.update(f"{name}.{a.name}" if f"{name}.{a.name}" in MODULES else module_of(name)
                                 for a in node.names)
        graph[mod] = {e for e in edges if e and e != mod}
    return graph


def test_no_import_cycles():
    """Tarjan's strongly connected components over the import graph: every component is one module."""
    graph, index, low, stack, on, cycles = _graph(), {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, cycles
