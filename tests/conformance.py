"""Every response the suite receives is checked against the OpenAPI document: its status must be one
the operation documents, and a JSON body must match the schema documented for that status.

So the document cannot drift from the code: a route that starts returning a new status or a new
field fails the tests that exercise it until the document says so.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import TestResponse

from siteninja.core.schemas import camelcase
from siteninja.extensions import api

SPEC_URI = "urn:siteninja:openapi"
NO_BODY_STATUSES = {204, 304}
UNDOCUMENTED_PREFIXES = ("/api/docs", "/api/openapi.json")  # the docs page, its assets, the document
_RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def openapi_path(rule: str) -> str:
    """``/api/tenants/<uuid:tenant_id>`` → ``/api/tenants/{tenantId}``, as the document names it."""
    return _RULE_ARGUMENT.sub(lambda match: "{" + camelcase(match.group(1)) + "}", rule)


class Conformance:
    """Validates responses of one app against its own document; counts what it validated."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._spec: dict[str, Any] | None = None
        self._registry: Registry | None = None
        self._validators: dict[str, OAS30Validator] = {}
        self.validated = 0
        self.bodies_validated = 0

    @property
    def spec(self) -> dict[str, Any]:
        if self._spec is None:
            with self.app.app_context():
                self._spec = api.spec_dict()
            resource = Resource.from_contents(self._spec, default_specification=DRAFT4)
            self._registry = Registry().with_resource(SPEC_URI, resource)
        return self._spec

    def check(self, response: TestResponse) -> None:
        """Fail (AssertionError) when ``response`` disagrees with the document."""
        request = response.request
        path, method = request.path, request.method.lower()
        if not (path.startswith("/api") or path == "/metrics") or path.startswith(UNDOCUMENTED_PREFIXES):
            return
        if method in ("head", "options"):
            return
        try:
            rule, _ = self.app.url_map.bind("localhost").match(path, request.method, return_rule=True)
        except (NotFound, MethodNotAllowed):
            self._check_body(response, "#/components/schemas/ErrorEnvelope", f"unrouted {method} {path}")
            return
        documented = openapi_path(rule.rule)
        operation = self.spec["paths"].get(documented, {}).get(method)
        where = f"{method.upper()} {documented} → {response.status_code}"
        assert operation is not None, f"{method.upper()} {documented} is not in the OpenAPI document"
        status = str(response.status_code)
        if status in operation["responses"]:
            location = ("paths", documented, method, "responses", status)
        elif response.status_code >= 500 and "default" in operation["responses"]:
            location = ("paths", documented, method, "responses", "default")
        else:
            raise AssertionError(
                f"{where}: status not documented (documented: {sorted(operation['responses'])})"
            )
        self.validated += 1
        if response.status_code in NO_BODY_STATUSES:
            return
        self._check_content(response, location, where)

    def _check_content(self, response: TestResponse, location: tuple[str, ...], where: str) -> None:
        documented = self._resolve(location)
        content = documented.get("content", {})
        if not response.is_json:
            if content and response.mimetype not in content and "*/*" not in content:
                raise AssertionError(f"{where}: {response.mimetype} is not documented ({sorted(content)})")
            return
        assert "application/json" in content, f"{where}: a JSON body where the document has {sorted(content)}"
        reference = self._json_schema_reference(location, documented)
        self._check_body(response, reference, where)

    def _resolve(self, location: tuple[str, ...]) -> dict[str, Any]:
        node: Any = self.spec
        for part in location:
            node = node[part]
        while "$ref" in node:
            node = self._follow(node["$ref"])
        return node

    def _json_schema_reference(self, location: tuple[str, ...], documented: dict[str, Any]) -> str:
        node: Any = self.spec
        for part in location:
            node = node[part]
        if "$ref" in node:  # a response component
            return node["$ref"] + "/" + _pointer("content", "application/json", "schema")
        return "#/" + _pointer(*location, "content", "application/json", "schema")

    def _follow(self, reference: str) -> Any:
        node: Any = self.spec
        for part in reference.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _check_body(self, response: TestResponse, reference: str, where: str) -> None:
        validator = self._validators.get(reference)
        if validator is None:
            _ = self.spec
            validator = OAS30Validator({"$ref": SPEC_URI + reference}, registry=self._registry)
            self._validators[reference] = validator
        errors = sorted(validator.iter_errors(response.get_json()), key=lambda error: list(error.path))
        if errors:
            messages = "; ".join(
                f"{'.'.join(map(str, e.path)) or 'body'}: {e.message[:200]}" for e in errors[:5]
            )
            raise AssertionError(f"{where}: body does not match the document: {messages}")
        self.bodies_validated += 1


def conforming_client_class(conformance: Conformance) -> type[FlaskClient]:
    """A test client class whose every response is checked by ``conformance``."""

    class ConformingClient(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> TestResponse:
            response = super().open(*args, **kwargs)
            conformance.check(response)
            return response

    return ConformingClient
