"""Clients of a live server on 127.0.0.1: a Python client generated from ``flask openapi write``
(openapi-python-client), and the Docker image's health check command."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from siteninja import create_app
from siteninja.extensions import SESSION_OPTIONS, db
from tests import factories
from tests.e2e.stack import ROOT_DIR, Gunicorn, free_port

pytestmark = pytest.mark.slow

PACKAGE = "siteninja_client"
PASSWORD = "Client-Passw0rd!"
GENERATOR_TIMEOUT = 300


def generator() -> str | None:
    """The openapi-python-client executable of this interpreter's environment, or on PATH."""
    beside = Path(sys.executable).parent / "openapi-python-client"
    return str(beside) if beside.exists() else shutil.which("openapi-python-client")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Gunicorn, dict]]:
    """gunicorn on the embedded default (a SQLite file, no Redis) with a tenant, its owner and pages."""
    directory = tmp_path_factory.mktemp("clients")
    url = f"sqlite:///{directory / 'clients.db'}"
    seeded = _seed(url)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")
    }
    env |= {
        "SITENINJA_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": "clients-secret-key-not-for-production-0123456789",
        "JWT_SECRET_KEY": "clients-jwt-secret-key-not-for-production-0123456789",
        "PROMETHEUS_MULTIPROC_DIR": str(directory / "prometheus"),
        "PYTHONUNBUFFERED": "1",
    }
    web = Gunicorn(env, directory)
    try:
        yield web, seeded
    finally:
        web.stop()


def _seed(url: str) -> dict:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDIS_URL=None)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(db, "session", db._make_scoped_session(dict(SESSION_OPTIONS)))
        db.create_all()
        tenant = factories.tenant(name="Client Co")
        owner = factories.user(tenant=tenant, role="owner", password=PASSWORD)
        titles = sorted(factories.page(tenant=tenant).title for _ in range(2))
        seeded = {"tenant_id": tenant.id, "email": owner.email, "titles": titles}
        db.session.remove()
        db.engine.dispose()
    return seeded


@pytest.fixture(scope="module")
def client_package(app, tmp_path_factory) -> Iterator[Path]:
    """A client generated from this app's OpenAPI document, importable as ``siteninja_client``."""
    executable = generator()
    if executable is None:
        pytest.skip("openapi-python-client is not installed (it is pinned in requirements-dev.txt)")
    directory = tmp_path_factory.mktemp("generated")
    document = directory / "openapi.json"
    result = app.test_cli_runner().invoke(args=["openapi", "write", str(document)])
    assert result.exit_code == 0, result.output
    command = [executable, "generate", "--path", str(document), "--meta", "none"]
    command += ["--output-path", str(directory / PACKAGE)]
    generated = subprocess.run(
        command, cwd=directory, capture_output=True, text=True, timeout=GENERATOR_TIMEOUT, check=False
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert (directory / PACKAGE / "client.py").exists(), generated.stdout + generated.stderr
    sys.path.insert(0, str(directory))
    try:
        yield directory / PACKAGE
    finally:
        sys.path.remove(str(directory))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def endpoint(package: Path, method: str, template: str) -> ModuleType:
    """The generated module of ``METHOD template`` (``/api/tenants/{tenantId}/pages``), found by
    the request it builds, so that it does not depend on how the generator names modules."""
    url = re.sub(r"\\\{[^}]+\\\}", r"\\{[a-z_0-9]+\\}", re.escape(template))
    pattern = re.compile(rf'"method": "{method}",\s*"url": "{url}"')
    for path in sorted((package / "api").glob("*/*.py")):
        if pattern.search(path.read_text(encoding="utf-8")):
            relative = path.relative_to(package.parent).with_suffix("")
            return importlib.import_module(".".join(relative.parts))
    raise AssertionError(f"no generated module sends {method.upper()} {template}")


def test_a_generated_python_client_reads_health_logs_in_and_lists_pages(client_package, server):
    web, seeded = server
    clients = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    base_url = f"http://127.0.0.1:{web.port}"
    anonymous = clients.Client(base_url=base_url, timeout=15, raise_on_unexpected_status=True)

    health = endpoint(client_package, "get", "/api/health").sync_detailed(client=anonymous)
    assert health.status_code == 200, health.content
    assert health.parsed.success is True

    login = endpoint(client_package, "post", "/api/auth/login").sync_detailed(
        client=anonymous, body=models.Login(email=seeded["email"], password=PASSWORD)
    )
    assert login.status_code == 200, login.content
    token = login.parsed.data.access_token
    assert token

    owner = clients.AuthenticatedClient(base_url=base_url, token=token, timeout=15)
    list_pages = endpoint(client_package, "get", "/api/tenants/{tenantId}/pages").sync_detailed
    sort_enum = type(inspect.signature(list_pages).parameters["sort"].default)  # the generated enum
    listed = list_pages(seeded["tenant_id"], client=owner, sort=sort_enum("title"))
    assert listed.status_code == 200, listed.content
    assert [page.title for page in listed.parsed.data] == seeded["titles"]
    assert listed.parsed.pagination.total == len(seeded["titles"])


def healthcheck_command() -> list[str]:
    """The Dockerfile's ``HEALTHCHECK … CMD [...]`` as argv, run with this interpreter."""
    text = (ROOT_DIR / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", text, re.MULTILINE)
    assert match, "the Dockerfile has no exec-form HEALTHCHECK"
    argv = json.loads(match.group(1))
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


def test_the_images_health_check_passes_against_a_live_server_and_fails_without_one(server):
    web, _ = server
    command = healthcheck_command()
    env = {**os.environ, "PORT": str(web.port)}
    assert subprocess.run(command, env=env, capture_output=True, timeout=30, check=False).returncode == 0
    env["PORT"] = str(free_port())
    assert subprocess.run(command, env=env, capture_output=True, timeout=30, check=False).returncode != 0
