"""The success envelopes and the smorest Api/Blueprint subclasses that apply and document them."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import flask_smorest
from flask import Response, current_app
from flask_smorest.utils import unpack_tuple_response
from marshmallow import RAISE, Schema, fields
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from siteninja.core import openapi
from siteninja.core.context import request_state
from siteninja.core.schemas import camelcase


@dataclass
class Paginated:
    """One page of a list plus what the client needs to fetch the others."""

    items: list[Any]
    page: int
    limit: int
    total: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pagination(self) -> dict[str, Any]:
        total_pages = (self.total + self.limit - 1) // self.limit if self.limit else 0
        return {
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "totalPages": total_pages,
            "hasNext": self.page < total_pages,
            "hasPrev": self.page > 1,
        }


class PaginationSchema(Schema):
    page = fields.Integer()
    limit = fields.Integer()
    total = fields.Integer()
    totalPages = fields.Integer()
    hasNext = fields.Boolean()
    hasPrev = fields.Boolean()


class ErrorDetailSchema(Schema):
    field = fields.String(
        metadata={"description": "Dotted path of the field; `body` for the body as a whole"}
    )
    message = fields.String()


class ErrorBodySchema(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.List(fields.Nested(ErrorDetailSchema))


class ErrorEnvelopeSchema(Schema):
    """The body of every error response."""

    success = fields.Boolean(dump_default=False)
    error = fields.Nested(ErrorBodySchema)
    requestId = fields.String()


_ENVELOPES: dict[tuple[type, bool], type[Schema]] = {}


def envelope_schema(schema: Schema) -> type[Schema]:
    """A documented envelope around ``schema``: one class per schema, so names stay unique."""
    key = (type(schema), bool(schema.many))
    if key not in _ENVELOPES:
        name = type(schema).__name__.removesuffix("Schema")
        attrs: dict[str, Any] = {"success": fields.Boolean(dump_default=True), "message": fields.String()}
        if schema.many:
            attrs["data"] = fields.List(fields.Nested(type(schema)))
            attrs["pagination"] = fields.Nested(PaginationSchema)
            name += "List"
        else:
            attrs["data"] = fields.Nested(type(schema))
        _ENVELOPES[key] = type(f"{name}EnvelopeSchema", (Schema,), attrs)
    return _ENVELOPES[key]


def _camel_path(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: "{" + camelcase(match.group(1)) + "}", path)


def _camel_parameters(node: Any) -> Any:
    """Rename ``in: path`` parameters to camelCase wherever they are declared under a path item."""
    if isinstance(node, dict):
        renamed = {key: _camel_parameters(value) for key, value in node.items()}
        if renamed.get("in") == "path" and isinstance(renamed.get("name"), str):
            renamed["name"] = camelcase(renamed["name"])
        return renamed
    if isinstance(node, list):
        return [_camel_parameters(item) for item in node]
    return node


class StrictParser(FlaskParser):
    """Rejects unknown query parameters as well as unknown body fields; ``multipart`` = form + files."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Any, schema: Schema) -> MultiDictProxy:
        """The fields and the files of a multipart body, as one mapping (one schema documents both)."""
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class Blueprint(flask_smorest.Blueprint):
    """A smorest Blueprint whose responses are always wrapped in the success envelope."""

    ARGUMENTS_PARSER = StrictParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Callable:
        smorest_decorator = super().response(status_code, schema, **kwargs)

        def decorator(func: Callable) -> Callable:
            @wraps(func)
            def unwrap(*args: Any, **kw: Any) -> Any:
                body, status, headers = unpack_tuple_response(func(*args, **kw))
                if int(status or status_code) == 204:
                    return Response(status=204, headers=headers)
                if isinstance(body, Paginated):
                    # Request state, not smorest's app context: that is ``g``, which a
                    # long-lived app context shares between requests.
                    request_state()["pagination"] = body.pagination
                    body = body.items
                return body, status, headers

            return smorest_decorator(unwrap)

        return decorator

    @staticmethod
    def _make_doc_response_schema(schema: Any) -> Any:
        # An error response (alt_response) is already an envelope of its own.
        if isinstance(schema, Schema) and not isinstance(schema, ErrorEnvelopeSchema):
            return envelope_schema(schema)
        return schema

    @staticmethod
    def _prepare_response_content(data: Any) -> dict[str, Any]:
        content: dict[str, Any] = {"success": True, "data": data}
        pagination = request_state().get("pagination")
        if pagination is not None:
            content["pagination"] = pagination
        return content


class Api(flask_smorest.Api):
    """The smorest Api, documenting our error envelope and leaving error handling to us."""

    ERROR_SCHEMA = ErrorEnvelopeSchema

    def spec_dict(self) -> dict[str, Any]:
        """The OpenAPI document, with path parameters camelCase as on the wire (``{tenantId}``) and
        the responses every operation owes by convention (errors, headers, 304)."""
        spec = copy.deepcopy(self.spec.to_dict())
        spec["paths"] = {_camel_path(path): _camel_parameters(item) for path, item in spec["paths"].items()}
        return openapi.complete(
            spec, unthrottled_tags=frozenset(current_app.config["OPENAPI_UNTHROTTLED_TAGS"])
        )

    def _openapi_json(self) -> Response:
        return current_app.response_class(json.dumps(self.spec_dict(), indent=2), mimetype="application/json")

    def _register_error_handlers(self) -> None:
        """Errors are handled by ``core.errors``, the one error path of the application."""

    def _register_pagination_header(self) -> None:
        """Pagination travels in the body (``pagination``), never in smorest's header."""
