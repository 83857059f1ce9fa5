"""The document generators on a small hand-made OpenAPI document: refs, missing examples, webhooks."""

from __future__ import annotations

import copy
import json
import uuid

from siteninja.services.apidocs.examples import minimal_example
from siteninja.services.apidocs.postman import build_collection, render_collection
from siteninja.services.apidocs.reference import render_reference

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Shop API", "version": "2.0.0"},
    "security": [{"bearerAuth": []}],
    "tags": [{"name": "items", "description": "Things we sell. More words."}, {"name": "ops"}],
    "paths": {
        "/api/items/{itemId}": {
            "parameters": [{"$ref": "#/components/parameters/ItemId"}],
            "put": {
                "tags": ["items"],
                "summary": "Replace an item.",
                "requestBody": {"$ref": "#/components/requestBodies/ItemBody"},
                "responses": {
                    "default": {"$ref": "#/components/responses/Error"},
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ItemEnvelope"}}
                        },
                    },
                    "404": {"$ref": "#/components/responses/Error"},
                },
            },
            "get": {
                "tags": ["items"],
                "summary": "Get an item.",
                "responses": {"200": {"description": "OK"}},
            },
        },
        "/api/items": {
            "get": {
                "tags": ["items"],
                "operationId": "listItems",
                "parameters": [
                    {"in": "query", "name": "limit", "schema": {"type": "integer", "default": 20}},
                    {
                        "in": "query",
                        "name": "q",
                        "required": True,
                        "schema": {"type": "string"},
                        "example": "red",
                    },
                    {"in": "header", "name": "If-None-Match", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "OK | cached"}},
            },
            "post": {
                "tags": ["items"],
                "summary": "Create an item",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Item"},
                            "examples": {
                                "b": {"value": {"name": "second"}},
                                "a": {"value": {"name": "first"}},
                            },
                        }
                    },
                },
                "responses": {"201": {"description": "Created"}},
            },
        },
        "/api/items/{itemId}/image": {
            "parameters": [{"$ref": "#/components/parameters/ItemId"}],
            "post": {
                "tags": ["items"],
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "alt": {"type": "string"},
                                },
                            }
                        }
                    }
                },
                "responses": {"201": {"description": "Created"}},
            },
        },
        "/api/health": {
            "get": {"tags": ["ops"], "security": [], "responses": {"200": {"description": "OK"}}}
        },
        "/api/session": {
            "post": {
                "tags": ["ops"],
                "summary": "Sign in",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/SessionEnvelope"}}
                        },
                    }
                },
            }
        },
        "/api/legacy": {
            "get": {"security": [{"keyHeader": []}], "responses": {"200": {"description": "OK"}}},
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A JWT."},
            "keyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        },
        "parameters": {
            "ItemId": {
                "in": "path",
                "name": "itemId",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            }
        },
        "requestBodies": {
            "ItemBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
            }
        },
        "responses": {
            "Error": {
                "description": "An error",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
        "schemas": {
            "Item": {
                "allOf": [
                    {"$ref": "#/components/schemas/Named"},
                    {
                        "type": "object",
                        "required": ["kind", "price", "owner", "id"],
                        "properties": {
                            "id": {"type": "string", "format": "uuid", "readOnly": True},
                            "kind": {"type": "string", "enum": ["book", "pen"]},
                            "price": {"type": "integer", "minimum": 1},
                            "color": {
                                "type": "string",
                                "description": "Optional, so not in the minimal body.",
                            },
                            "owner": {
                                "type": "object",
                                "required": ["email"],
                                "properties": {
                                    "email": {"type": "string", "format": "email"},
                                    "nick": {"type": "string"},
                                },
                            },
                            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                        },
                    },
                ]
            },
            "Named": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "minLength": 3, "maxLength": 40}},
            },
            "Tag": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "parent": {"$ref": "#/components/schemas/Tag"}},
            },
            "SessionEnvelope": {
                "type": "object",
                "properties": {"data": {"type": "object", "properties": {"accessToken": {"type": "string"}}}},
            },
            "ItemEnvelope": {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Item"}}},
        },
    },
}

WEBHOOKS = {
    "x-webhooks": {
        "item.created": {
            "post": {
                "summary": "An item was created.",
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}
                },
                "responses": {"2XX": {"description": "Received"}},
            }
        }
    }
}


def requests_by_name(collection: dict) -> dict[str, dict]:
    return {item["name"]: item for folder in collection["item"] for item in folder["item"]}


def test_folders_follow_the_documents_tags_then_the_untagged():
    collection = build_collection(DOCUMENT)
    assert [folder["name"] for folder in collection["item"]] == ["items", "ops", "other"]
    names = [item["name"] for item in collection["item"][0]["item"]]
    assert names == [
        "GET /api/items",
        "Create an item",
        "Get an item",
        "Replace an item",
        "POST /api/items/{itemId}/image",
    ]


def test_collection_variables_and_auth():
    collection = build_collection(DOCUMENT, base_url="https://api.example.test")
    assert collection["variable"] == [
        {"key": "baseUrl", "value": "https://api.example.test", "type": "string"},
        {"key": "token", "value": "", "type": "string"},
    ]
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    items = requests_by_name(collection)
    assert items["Get an item"]["request"]["auth"]["bearer"][0]["value"] == "{{token}}"
    assert items["GET /api/health"]["request"]["auth"] == {"type": "noauth"}
    legacy = items["GET /api/legacy"]["request"]["auth"]
    assert legacy["type"] == "apikey"
    assert {a["key"]: a["value"] for a in legacy["apikey"]} == {
        "key": "X-API-Key",
        "value": "{{token}}",
        "in": "header",
    }


def test_a_request_that_returns_an_access_token_stores_it_in_the_token_variable():
    items = requests_by_name(build_collection(DOCUMENT))
    (event,) = items["Sign in"]["event"]
    assert event["listen"] == "test"
    assert 'pm.collectionVariables.set("token", token)' in "\n".join(event["script"]["exec"])
    assert "event" not in items["Get an item"]


def test_path_parameters_from_path_level_refs_become_postman_variables():
    url = requests_by_name(build_collection(DOCUMENT))["Replace an item"]["request"]["url"]
    assert url["raw"] == "{{baseUrl}}/api/items/:itemId"
    assert url["path"] == ["api", "items", ":itemId"]
    assert url["variable"][0]["key"] == "itemId" and "uuid" in url["variable"][0]["description"]


def test_query_and_header_parameters_with_their_examples():
    request = requests_by_name(build_collection(DOCUMENT))["GET /api/items"]["request"]
    query = {q["key"]: q for q in request["url"]["query"]}
    assert query["q"]["value"] == "red" and not query["q"].get("disabled")
    assert query["limit"]["value"] == "20" and query["limit"]["disabled"] is True
    assert request["url"]["raw"] == "{{baseUrl}}/api/items?q=red"
    assert {"key": "If-None-Match", "value": "", "description": "(string)", "disabled": True} in request[
        "header"
    ]


def test_json_bodies_use_the_documents_example_first_by_name():
    body = requests_by_name(build_collection(DOCUMENT))["Create an item"]["request"]["body"]
    assert body["mode"] == "raw" and body["options"]["raw"]["language"] == "json"
    assert json.loads(body["raw"]) == {"name": "first"}


def test_without_an_example_the_body_has_the_required_fields_only():
    items = requests_by_name(build_collection(DOCUMENT))
    body = json.loads(items["Replace an item"]["request"]["body"]["raw"])
    assert body == {"name": "string", "kind": "book", "price": 1, "owner": {"email": "user@example.com"}}
    assert {"key": "Content-Type", "value": "application/json"} in items["Replace an item"]["request"][
        "header"
    ]


def test_minimal_examples_respect_lengths_and_survive_cycles():
    assert minimal_example(DOCUMENT, {"type": "string", "minLength": 10}) == "stringxxxx"
    assert minimal_example(DOCUMENT, {"type": "string", "maxLength": 2}) == "st"
    tag = {
        "type": "object",
        "required": ["parent"],
        "properties": {"parent": {"$ref": "#/components/schemas/Loop"}},
    }
    document = {"components": {"schemas": {"Loop": tag}}}
    assert json.dumps(minimal_example(document, {"$ref": "#/components/schemas/Loop"}))
    assert minimal_example(DOCUMENT, {"$ref": "#/components/schemas/Missing"}) is None
    assert minimal_example(DOCUMENT, {"type": ["string", "null"], "examples": ["x"]}) == "x"
    assert minimal_example(DOCUMENT, {"type": ["null", "integer"], "exclusiveMinimum": 5}) == 6


def test_multipart_bodies_become_form_data_with_a_file_field():
    body = requests_by_name(build_collection(DOCUMENT))["POST /api/items/{itemId}/image"]["request"]["body"]
    assert body["mode"] == "formdata"
    fields = {f["key"]: f for f in body["formdata"]}
    assert fields["file"]["type"] == "file" and fields["alt"]["disabled"] is True


def test_the_same_document_gives_the_same_bytes_and_stable_ids():
    first = render_collection(DOCUMENT)
    assert first == render_collection(copy.deepcopy(DOCUMENT)) and first.endswith("}\n")
    ids = [item["id"] for folder in json.loads(first)["item"] for item in folder["item"]]
    assert len(set(ids)) == len(ids) and all(uuid.UUID(i).version == 5 for i in ids)
    by_name = requests_by_name(json.loads(first))
    namespace = uuid.UUID(json.loads(first)["info"]["_postman_id"])
    assert by_name["GET /api/items"]["id"] == str(uuid.uuid5(namespace, "listItems"))


def test_reference_lists_operations_by_tag_with_security_parameters_fields_and_responses():
    text = render_reference(DOCUMENT)
    assert text.index("## items") < text.index("## ops") < text.index("## other")
    assert "- [items](#items) (5): Things we sell\n" in text
    section = text.split("### PUT /api/items/{itemId}\n", 1)[1].split("\n### ", 1)[0]
    assert "Replace an item." in section and "**Security:** `bearerAuth`" in section
    assert "| `itemId` | path | string (uuid) | yes |  |" in section
    assert "**Request body** (`application/json`, required): Item" in section
    assert "| `name` | string | yes | 3-40 characters |" in section
    assert "| `owner.email` | string (email) | yes |  |" in section
    assert "| `tags[].label` | string | no |  |" in section
    assert "| `tags[].parent` | Tag | no |  |" in section and "tags[].parent.label" not in section
    statuses = [
        line.split(" | ")[0] for line in section.splitlines() if line.startswith("| ") and "|---" not in line
    ]
    assert statuses[-3:] == ["| 200", "| 404", "| default"]
    assert "`data`: Item" in section
    assert "**Security:** none" in text.split("### GET /api/health", 1)[1]
    assert "| 200 | OK \\| cached |" in text


def test_reference_has_a_webhooks_section_only_when_the_document_has_webhooks():
    assert "## Webhooks" not in render_reference(DOCUMENT)
    text = render_reference({**DOCUMENT, **WEBHOOKS})
    hook = text.split("### item.created (POST)\n", 1)[1]
    assert "An item was created." in hook and "**Payload** (`application/json`): Item" in hook
    assert "| 2XX | Received |" in hook
    assert "Requests Shop API sends to subscribed URLs" in text
    assert text == render_reference(copy.deepcopy({**DOCUMENT, **WEBHOOKS}))
