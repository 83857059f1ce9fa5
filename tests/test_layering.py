"""The import rules of DESIGN.md §2, checked over siteninja/ by reading its syntax trees."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "siteninja"
ROOT_DIR = PACKAGE_DIR.parent

# Importing these from core pulls in resources too (they are compositions of resources).
CORE_FORBIDDEN = (
    "siteninja.resources",
    "siteninja.services",
    "siteninja.jobs",
    "siteninja.models",
    "siteninja.app",
    "siteninja.cli",
)
ROUTES_ALLOWED_OWN = ("service", "schemas")


@dataclass(frozen=True)
class Import:
    """One imported module (or module attribute), where it was imported and how."""

    target: str
    line: int
    local: bool


def module_name(path: Path) -> str:
    """``siteninja/core/db.py`` → ``siteninja.core.db`` (packages name their ``__init__``)."""
    parts = list(path.relative_to(ROOT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """True when ``name`` is a module or package of this project."""
    path = ROOT_DIR.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _targets(node: ast.AST, importer: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        module = _absolute(node, importer, is_package)
        for alias in node.names:
            submodule = f"{module}.{alias.name}"
            yield submodule if is_module(submodule) else module


def imports_of(source: str, importer: str, is_package: bool = False) -> list[Import]:
    """Every import in ``source``, resolved to absolute names, noting those inside a function."""
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for target in _targets(node, importer, is_package):
            found.append(Import(target, node.lineno, in_function))
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(source), False)
    return found


def within(name: str, prefix: str) -> bool:
    """True when ``name`` is the module ``prefix`` or inside it."""
    return name == prefix or name.startswith(prefix + ".")


def core_rule(module: str, imp: Import) -> str | None:
    if (module == "siteninja.extensions" or within(module, "siteninja.core")) and any(
        within(imp.target, forbidden) for forbidden in CORE_FORBIDDEN
    ):
        return "extensions and core.* never import resources, services or jobs"
    return None


def routes_rule(module: str, imp: Import) -> str | None:
    parts = module.split(".")
    if len(parts) != 4 or parts[:2] != ["siteninja", "resources"] or parts[3] != "routes":
        return None
    own = ".".join(parts[:3])
    if within(imp.target, "sqlalchemy") or within(imp.target, "flask_sqlalchemy"):
        return "routes never use SQLAlchemy: queries belong in the service"
    if not within(imp.target, "siteninja") or within(imp.target, "siteninja.core"):
        return None
    if any(within(imp.target, f"{own}.{name}") for name in ROUTES_ALLOWED_OWN):
        return None
    return f"routes import only {own}.service, {own}.schemas and siteninja.core (not {imp.target})"


def jobs_rule(module: str, imp: Import) -> str | None:
    if within(module, "siteninja.jobs") and imp.target.split(".")[-1] == "routes":
        return "jobs.* never import routes"
    return None


def local_import_rule(module: str, imp: Import) -> str | None:
    if imp.local and within(imp.target, "siteninja"):
        return "no function-local imports of siteninja modules: fix the layering instead"
    return None


RULES = (core_rule, routes_rule, jobs_rule, local_import_rule)


def violations_in(source: str, module: str, location: str, is_package: bool = False) -> list[str]:
    """``file:line: rule`` for every import of ``source`` that breaks a rule."""
    found = []
    for imp in imports_of(source, module, is_package):
        for rule in RULES:
            message = rule(module, imp)
            if message:
                found.append(f"{location}:{imp.line}: {message} [imports {imp.target}]")
    return found


def project_files() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


def test_the_package_keeps_the_import_rules():
    problems = []
    for path in project_files():
        location = str(path.relative_to(ROOT_DIR))
        source = path.read_text(encoding="utf-8")
        problems += violations_in(source, module_name(path), location, path.name == "__init__.py")
    assert not problems, "layering violations (DESIGN.md §2):\n" + "\n".join(problems)


def test_every_package_module_is_checked():
    names = {module_name(path) for path in project_files()}
    assert {"siteninja.extensions", "siteninja.core.db", "siteninja.jobs.queue"} <= names
    assert any(within(name, "siteninja.resources") and name.endswith(".routes") for name in names)


@pytest.mark.parametrize(
    ("module", "source", "rule"),
    [
        ("siteninja.core.tenancy", "from siteninja.resources.pages.models import Page", "core.*"),
        ("siteninja.extensions", "import siteninja.services.audit", "core.*"),
        ("siteninja.core.http", "from siteninja import jobs", "core.*"),
        ("siteninja.resources.pages.routes", "import sqlalchemy as sa", "SQLAlchemy"),
        ("siteninja.resources.pages.routes", "from sqlalchemy.orm import Session", "SQLAlchemy"),
        ("siteninja.resources.pages.routes", "from siteninja.extensions import db", "routes import only"),
        ("siteninja.resources.tenants.routes", "from siteninja.resources.ops import service", "routes"),
        ("siteninja.resources.tenants.routes", "from siteninja.resources.users.models import User", "routes"),
        (
            "siteninja.resources.tenants.routes",
            "from siteninja.resources.tenants.models import Tenant",
            "routes",
        ),
        ("siteninja.resources.tenants.routes", "from ..ops import service", "routes import only"),
        ("siteninja.jobs.queue", "from siteninja.resources.ops.routes import blp", "never import routes"),
        ("siteninja.jobs.queue", "from siteninja.resources.ops import routes", "never import routes"),
        ("siteninja.services.audit", "def f():\n    from siteninja.extensions import db\n", "function-local"),
        ("siteninja.services.audit", "class A:\n    def m(self):\n        import siteninja.core\n", "local"),
    ],
)
def test_the_checker_catches(module, source, rule):
    problems = violations_in(source, module, "example.py")
    assert problems, f"{source!r} in {module} should break a rule"
    assert rule in problems[0]
    assert problems[0].startswith("example.py:")


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("siteninja.resources.tenants.routes", "from siteninja.resources.tenants import service"),
        ("siteninja.resources.tenants.routes", "from siteninja.resources.tenants.schemas import X"),
        ("siteninja.resources.tenants.routes", "from . import schemas, service"),
        ("siteninja.resources.tenants.routes", "from siteninja.core.envelope import Blueprint"),
        (
            "siteninja.resources.tenants.service",
            "import sqlalchemy as sa\nfrom siteninja.services import audit",
        ),
        ("siteninja.core.tenancy", "from siteninja.extensions import db"),
        ("siteninja.jobs.queue", "from siteninja.resources.tenants import service"),
        ("siteninja.services.audit", "def f():\n    import json\n"),
    ],
)
def test_the_checker_allows(module, source):
    assert violations_in(source, module, "example.py") == []
