"""The OpenAI-compatible provider: one chat-completions call per task, its answer parsed strictly."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import requests
from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from siteninja.resources.sections.models import SECTION_TYPES
from siteninja.resources.sections.schemas import content_field
from siteninja.resources.seo.schemas import SeoUpdateSchema

log = logging.getLogger("siteninja.ai")

DEFAULT_MODEL = "gpt-4o-mini"
MAX_ANSWER_BYTES = 1024 * 1024
SEVERITIES = ("info", "warning", "error")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


class ProviderError(Exception):
    """The remote model failed, timed out or answered something that is not the expected JSON."""


class _Answer(Schema):
    class Meta:
        unknown = EXCLUDE


class SuggestionAnswer(_Answer):
    type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    message = fields.String(required=True, validate=validate.Length(min=1, max=500))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))


class ContentAnswer(_Answer):
    optimizedContent = fields.String(required=True, validate=validate.Length(min=1, max=100_000))
    suggestions = fields.List(
        fields.Nested(SuggestionAnswer), load_default=list, validate=validate.Length(max=30)
    )


class SeoSuggestionsAnswer(_Answer):
    metaTitle = fields.String(required=True, validate=validate.Length(min=1, max=70))
    metaDescription = fields.String(required=True, validate=validate.Length(min=1, max=320))
    keywords = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=20)
    )
    headings = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)), validate=validate.Length(max=20)
    )


class SeoAnswer(_Answer):
    suggestions = fields.Nested(SeoSuggestionsAnswer, required=True)


class SectionAnswer(_Answer):
    type = fields.String(required=True, validate=validate.OneOf(SECTION_TYPES))
    content = content_field(required=True)


class PageAnswer(_Answer):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    sections = fields.List(
        fields.Nested(SectionAnswer), required=True, validate=validate.Length(min=1, max=50)
    )
    seo = fields.Nested(SeoUpdateSchema, required=True)


def configured() -> bool:
    """Whether an OpenAI-compatible endpoint is configured (``AI_API_URL``)."""
    return bool(current_app.config.get("AI_API_URL"))


def model_name() -> str:
    """The model asked for (``AI_MODEL``)."""
    return current_app.config.get("AI_MODEL") or DEFAULT_MODEL


def endpoint(url: str) -> str:
    """The chat-completions URL: ``AI_API_URL`` as given when it ends so, else with the path added."""
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def ask(task: str, payload: dict[str, Any], schema: type[Schema]) -> dict[str, Any]:
    """Send one task, return its answer loaded with ``schema``; ProviderError on any failure."""
    messages = [
        {"role": "system", "content": task + " Answer with one JSON object only, no prose, no markdown."},
        {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
    ]
    answer = _parse(_post(messages))
    try:
        return schema().load(answer)
    except ValidationError as error:
        raise ProviderError(f"answer does not match the expected shape: {sorted(error.messages)}") from error


def _post(messages: list[dict[str, str]]) -> bytes:
    config = current_app.config
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.get("AI_API_KEY"):
        headers["Authorization"] = f"Bearer {config['AI_API_KEY']}"
    body = {
        "model": model_name(),
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": messages,
    }
    timeout = float(config.get("AI_TIMEOUT") or 10)
    try:
        with requests.post(
            endpoint(config["AI_API_URL"]),
            json=body,
            headers=headers,
            timeout=(timeout, timeout),
            stream=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                raise ProviderError(f"HTTP {response.status_code}")
            return _read(response, deadline=time.monotonic() + timeout)
    except requests.RequestException as error:
        raise ProviderError(type(error).__name__) from error


def _read(response: requests.Response, *, deadline: float) -> bytes:
    """The body, at most 1 MB, read before the deadline (a server trickling bytes cannot hold us)."""
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=16384):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ProviderError("answer too large")
        if time.monotonic() > deadline:
            raise ProviderError("timed out reading the answer")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> dict[str, Any]:
    """The JSON object in the first choice's message (a ```json fence around it is tolerated)."""
    try:
        content = json.loads(raw)["choices"][0]["message"]["content"]
        fenced = _FENCE.match(content)
        answer = json.loads(fenced.group(1) if fenced else content)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ProviderError("answer is not a chat completion carrying JSON") from error
    if not isinstance(answer, dict):
        raise ProviderError("answer is not a JSON object")
    return answer
