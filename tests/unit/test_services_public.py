"""The public module of each capability package: what the entry points call."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import agencyflow.services

PACKAGES = sorted(m.name for m in pkgutil.iter_modules(agencyflow.services.__path__) if m.ispkg)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_resolves_to_its_submodules_object(name: str) -> None:
    package = importlib.import_module(f"agencyflow.services.{name}")
    table = package._EXPORTS
    assert table, f"services.{name} publishes nothing"
    assert sorted(package.__all__) == sorted(table)
    for public, (module, attr) in table.items():
        source = importlib.import_module(f"agencyflow.services.{name}.{module}")
        assert getattr(package, public) is getattr(source, attr), public


@pytest.mark.parametrize("name", PACKAGES)
def test_a_public_name_is_never_also_a_submodule(name: str) -> None:
    package = importlib.import_module(f"agencyflow.services.{name}")
    submodules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert len(submodules) > 1
    assert not set(package._EXPORTS) & submodules


def test_an_unknown_name_is_an_attribute_error() -> None:
    from agencyflow.services import board

    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        board.no_such_thing  # noqa: B018


def test_importing_the_packages_imports_no_submodule_and_no_sqlalchemy() -> None:
    code = ("import sys\n"
            f"from agencyflow.services import {', '.join(PACKAGES)}\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('agencyflow.services.')\n"
            "                and m.count('.') >= 3)\n"
            "print(loaded, 'sqlalchemy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[] False"


@pytest.mark.parametrize("name", PACKAGES)
def test_what_mypy_sees_is_the_table(name: str) -> None:
    """The TYPE_CHECKING imports (what mypy checks callers against) name exactly the table."""
    package = importlib.import_module(f"agencyflow.services.{name}")
    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))
    seen: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"):
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module, ast.dump(imp)
                module = imp.module.removeprefix(f"agencyflow.services.{name}.")
                seen |= {alias.asname or alias.name: (module, alias.name) for alias in imp.names}
    assert seen == package._EXPORTS
