"""The container files, checked without a Docker daemon: the Dockerfile's stages, the compose stack."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from siteninja.config import ROOT_DIR, ProductionConfig

DOCKERFILE = ROOT_DIR / "Dockerfile"
COMPOSE = ROOT_DIR / "docker-compose.yml"
APP_SERVICES = ("release", "web", "worker")
BUILD_TOOLS = ("build-essential", "gcc", "g++", "make ", "libpq-dev", "apt-get install", "curl", "wget")


@dataclass
class Stage:
    """One ``FROM`` of the Dockerfile and the instructions under it, continuation lines joined."""

    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for name, argument in self.instructions if name == keyword]


def instructions(path: Path) -> list[tuple[str, str]]:
    """``(KEYWORD, arguments)`` for every instruction, comments dropped and ``\\`` lines joined."""
    logical, current = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def stages() -> tuple[dict[str, str], list[Stage]]:
    """The Dockerfile's global ARG defaults and its stages, in order."""
    args: dict[str, str] = {}
    found: list[Stage] = []
    for keyword, argument in instructions(DOCKERFILE):
        if keyword == "FROM":
            parts = argument.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), parts[0])
            found.append(Stage(base, parts[2] if len(parts) > 2 else str(len(found))))
        elif found:
            found[-1].instructions.append((keyword, argument))
        elif keyword == "ARG" and "=" in argument:
            name, value = argument.split("=", 1)
            args[name] = value
    return args, found


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_the_image_builds_wheels_in_one_stage_and_runs_from_python_slim_in_another():
    _, (builder, *_, final) = stages()
    assert builder.base == final.base == "python:3.11-slim"
    builder_runs = " ".join(builder.all("RUN"))
    assert "build-essential" in builder_runs and "pip wheel" in builder_runs
    final_runs = " ".join(final.all("RUN"))
    assert "--no-index" in final_runs and "from=builder" in final_runs


def test_the_final_stage_has_no_build_tools_and_runs_as_a_user_other_than_root():
    _, stage_list = stages()
    final = stage_list[-1]
    text = " ".join(argument for _, argument in final.instructions)
    assert not [tool for tool in BUILD_TOOLS if tool in text]
    users = final.all("USER")
    assert users and users[-1] not in ("root", "0", "0:0")
    assert [keyword for keyword, _ in final.instructions].index("USER") > max(
        i for i, (keyword, _) in enumerate(final.instructions) if keyword == "RUN"
    ), "USER must follow the last RUN: nothing after it may need root"


def test_the_final_stage_serves_gunicorn_on_8000_with_a_python_health_check():
    _, stage_list = stages()
    final = stage_list[-1]
    assert final.all("EXPOSE") == ["8000"]
    (healthcheck,) = final.all("HEALTHCHECK")
    assert "/api/health" in healthcheck and "urllib" in healthcheck
    assert "curl" not in healthcheck and "wget" not in healthcheck
    (command,) = final.all("CMD")
    assert shlex.split(command.strip("[]").replace(",", " ")) == [
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        "wsgi:app",
    ]
    assert not final.all("ENTRYPOINT")
    assert "SITENINJA_ENV=production" in " ".join(final.all("ENV"))


def test_the_build_context_leaves_out_local_state_and_secrets():
    ignored = {line.strip() for line in (ROOT_DIR / ".dockerignore").read_text().splitlines()}
    assert {".venv", ".git", "instance", ".env"} <= ignored
    assert not {"siteninja", "migrations", "requirements.txt", "wsgi.py", "worker.py"} & ignored


def test_compose_runs_the_stack(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", *APP_SERVICES}
    assert services["postgres"]["image"] == "postgres:16" and services["redis"]["image"] == "redis:7"
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert services["release"]["command"] == ["sh", "-c", "flask db upgrade && flask seed"]
    assert services["worker"]["command"] == ["python", "worker.py"]
    assert services["web"]["ports"] == ["${WEB_PORT:-8000}:8000"]
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["release"] == {"condition": "service_completed_successfully"}, name
    assert services["release"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_web_and_worker_share_the_uploads_volume_where_the_app_stores_them(compose):
    services = compose["services"]
    assert "uploads" in compose["volumes"]
    for name in ("web", "worker"):
        target = services[name]["environment"]["UPLOAD_DIR"]
        assert f"uploads:{target}" in services[name]["volumes"], name


def test_compose_sets_what_production_requires_and_only_settings_the_app_reads(compose):
    config_source = (ROOT_DIR / "siteninja" / "config.py").read_text(encoding="utf-8")
    known = set(re.findall(r'_(?:env|bool|int)\("([A-Z0-9_]+)"', config_source))
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["SITENINJA_ENV"] == "production"
        assert set(ProductionConfig.REQUIRED) | {"REDIS_URL"} <= set(environment), name
        assert not set(environment) - known, f"{name} sets variables config.py never reads"
        for secret in ("SECRET_KEY", "JWT_SECRET_KEY", "API_KEY_PEPPER"):
            assert environment[secret].startswith(f"${{{secret}:?"), (
                f"{secret} must be required, not defaulted"
            )
        assert (
            environment["DATABASE_URL"].startswith("postgresql://")
            and "@postgres:5432/" in environment["DATABASE_URL"]
        )
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")


def test_compose_and_the_image_start_web_the_same_way(compose):
    _, stage_list = stages()
    (command,) = stage_list[-1].all("CMD")
    assert compose["services"]["web"]["command"] == shlex.split(command.strip("[]").replace(",", " "))


def test_the_readme_documents_docker_compose():
    readme = (ROOT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Docker\n", 1)[1].split("\n## ", 1)[0]
    assert "docker compose up" in section and "http://127.0.0.1:8000" in section
    for name in ("SECRET_KEY", "JWT_SECRET_KEY", "API_KEY_PEPPER", "SITE_BASE_DOMAIN"):
        assert name in section, name
