"""The committed API documents: regenerated from the app's OpenAPI document they must not change."""

from __future__ import annotations

import json

import jsonschema
import pytest

from siteninja.config import ROOT_DIR
from siteninja.extensions import api
from siteninja.services.apidocs import spec
from siteninja.services.apidocs.postman import SCHEMA_URL, render_collection
from siteninja.services.apidocs.reference import render_reference

DOCS_DIR = ROOT_DIR / "docs"
COLLECTION = DOCS_DIR / "postman-collection.json"
REFERENCE = DOCS_DIR / "api-reference.md"
POSTMAN_SCHEMA = ROOT_DIR / "tests" / "schemas" / "postman-collection-v2.1.0.json"
REFRESH = (
    "run `make docs` (flask postman export docs/postman-collection.json; "
    "flask openapi reference docs/api-reference.md) and commit the result"
)


@pytest.fixture(scope="module")
def document(app) -> dict:
    return api.spec_dict()


def test_the_committed_postman_collection_is_current(document):
    assert COLLECTION.read_text(encoding="utf-8") == render_collection(document), (
        f"docs/postman-collection.json is stale: {REFRESH}"
    )


def test_the_committed_api_reference_is_current(document):
    assert REFERENCE.read_text(encoding="utf-8") == render_reference(document), (
        f"docs/api-reference.md is stale: {REFRESH}"
    )


def test_the_postman_collection_is_a_valid_v2_1_collection():
    schema = json.loads(POSTMAN_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    collection = json.loads(COLLECTION.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(collection), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:10])
    assert collection["info"]["schema"] == SCHEMA_URL


def test_the_collection_has_every_operation_with_the_right_auth(document):
    collection = json.loads(render_collection(document))
    requests = {
        (item["request"]["method"], item["request"]["url"]["raw"].split("?")[0]): item["request"]
        for folder in collection["item"]
        for item in folder["item"]
    }
    operations = spec.operations(document)
    assert len(requests) == len(operations)
    for operation in operations:
        path = operation.path.replace("{", ":").replace("}", "")
        request = requests[(operation.method.upper(), "{{baseUrl}}" + path)]
        expected = "noauth" if operation.body.get("security") == [] else "bearer"
        assert request["auth"]["type"] == expected, f"{operation.key}: {request['auth']}"
    assert requests[("POST", "{{baseUrl}}/api/auth/login")]["auth"] == {"type": "noauth"}


def test_every_tag_and_operation_is_in_the_reference(document):
    text = render_reference(document)
    for operation in spec.operations(document):
        assert f"### {operation.method.upper()} {operation.path}\n" in text
    for tag in document["tags"]:
        assert f"## {tag['name']}\n" in text


def test_postman_export_and_openapi_reference_commands(app, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "collection.json"
    result = runner.invoke(args=["postman", "export", str(target), "--base-url", "https://api.example.test"])
    assert result.exit_code == 0, result.output
    variables = json.loads(target.read_text(encoding="utf-8"))["variable"]
    assert {"key": "baseUrl", "value": "https://api.example.test", "type": "string"} in variables
    reference = tmp_path / "reference.md"
    result = runner.invoke(args=["openapi", "reference", str(reference)])
    assert result.exit_code == 0, result.output
    assert reference.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")
