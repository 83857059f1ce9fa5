"""The OpenAI-compatible provider against a real HTTP server on 127.0.0.1: good, garbage, hanging, 500."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.resources.site_helpers import role_client

API_KEY = "sk-test-not-a-real-key-1234"
CONTENT = {"content": "<p>We bake bread. It is good.</p>", "targetKeywords": ["sourdough"]}
SEO = {"title": "Bakery", "content": "We bake bread daily.", "keywords": ["bread"]}
PAGE = {"prompt": "A bakery in Porto called Pão Quente selling sourdough"}


class FakeModel:
    """What the server answers, and what it was asked."""

    def __init__(self) -> None:
        self.mode = "good"
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()

    def completion(self, body: dict[str, Any]) -> bytes:
        system = body["messages"][0]["content"]
        asked = json.loads(body["messages"][1]["content"])
        if "copy editor" in system:
            answer: Any = {
                "optimizedContent": "<p>Better copy about sourdough.</p><script>alert(1)</script>",
                "suggestions": [
                    {"type": "clarity", "message": "Say it <b>plainly</b>.", "severity": "warning"}
                ],
            }
        elif "SEO editor" in system:
            answer = {
                "suggestions": {
                    "metaTitle": "Fresh bread every morning",
                    "metaDescription": "Bread & <i>pastries</i> baked daily.",
                    "keywords": ["bread", "bakery"],
                    "headings": ["Fresh bread"],
                }
            }
        else:
            kinds = [s["type"] for s in asked["template"]["sections"]]
            if self.mode == "wrong-sections":
                kinds = ["faq"]
            answer = {
                "title": "Pão Quente",
                "sections": [
                    {
                        "type": kind,
                        "content": {
                            "title": f"Model {kind}",
                            "bodyHtml": "<p>ok</p><img src=x onerror=alert(1)>",
                        },
                    }
                    for kind in kinds
                ],
                "seo": {
                    "metaTitle": "Pão Quente bakery",
                    "metaDescription": "Sourdough in Porto.",
                    "keywords": ["bakery"],
                },
            }
        if self.mode == "invalid-values":
            answer = _invalid(answer)
        content = {
            "not-a-json-object": "[1, 2, 3]",
            "prose": "Sure! Here is your improved text.",
            "wrong-shape": json.dumps({"optimizedContent": 5, "suggestions": {"metaTitle": 1}, "title": ""}),
            "bad-severity": json.dumps(
                {**answer, "suggestions": [{"type": "x", "message": "y", "severity": "urgent"}]}
            ),
        }.get(self.mode, "```json\n" + json.dumps(answer) + "\n```")
        return json.dumps(
            {"id": "chatcmpl-1", "choices": [{"message": {"role": "assistant", "content": content}}]}
        ).encode()


def _invalid(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with one value out of bounds: a severity, a title's length, a section type."""
    if "optimizedContent" in answer:
        return {**answer, "suggestions": [{"type": "x", "message": "y", "severity": "urgent"}]}
    if "suggestions" in answer:
        return {"suggestions": {**answer["suggestions"], "metaTitle": "t" * 71}}
    return {**answer, "sections": [{**answer["sections"][0], "type": "carousel"}, *answer["sections"][1:]]}


@pytest.fixture
def fake_model() -> Iterator[tuple[FakeModel, str]]:
    model = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            model.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)})
            if model.mode == "hang":
                model.release.wait(10)
                return
            if model.mode == "500":
                self._send(500, b'{"error": "overloaded"}')
            elif model.mode == "not-json":
                self._send(200, b"<html>definitely not json</html>")
            elif model.mode == "no-choices":
                self._send(200, b'{"id": "x", "object": "error"}')
            else:
                self._send(200, model.completion(json.loads(raw)))

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield model, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        model.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def user(app, tenant):
    return role_client(app, tenant, "editor")


@pytest.fixture
def builtin(user) -> dict[str, dict]:
    """The built-in answers, asked before any model is configured."""
    return {
        "content-optimize": user.post("/api/ai/content-optimize", json=CONTENT).get_json()["data"],
        "seo-optimize": user.post("/api/ai/seo-optimize", json=SEO).get_json()["data"],
        "generate-page": user.post("/api/ai/generate-page", json=PAGE).get_json()["data"],
    }


@pytest.fixture
def configured(app, monkeypatch, fake_model, builtin):
    model, url = fake_model
    monkeypatch.setitem(app.config, "AI_API_URL", url)
    monkeypatch.setitem(app.config, "AI_API_KEY", API_KEY)
    monkeypatch.setitem(app.config, "AI_MODEL", "tiny-model")
    monkeypatch.setitem(app.config, "AI_TIMEOUT", 0.5)
    return model


def ask(user, endpoint: str, body: dict) -> dict:
    response = user.post(f"/api/ai/{endpoint}", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def test_a_good_answer_is_used_sanitized_and_named(user, configured, builtin):
    content = ask(user, "content-optimize", CONTENT)
    assert (content["provider"], content["model"]) == ("openai", "tiny-model")
    assert content["optimizedContent"] == "<p>Better copy about sourdough.</p>", "script removed"
    assert content["suggestions"] == [
        {"type": "clarity", "message": "Say it plainly.", "severity": "warning"}
    ]
    assert content["readability"] == builtin["content-optimize"]["readability"], "measurements stay built in"
    seo = ask(user, "seo-optimize", SEO)
    assert seo["provider"] == "openai" and seo["issues"] == builtin["seo-optimize"]["issues"]
    assert seo["suggestions"]["metaDescription"] == "Bread & pastries baked daily."
    page = ask(user, "generate-page", PAGE)
    assert page["provider"] == "openai" and page["templateId"] == builtin["generate-page"]["templateId"]
    assert [s["type"] for s in page["sections"]] == [s["type"] for s in builtin["generate-page"]["sections"]]
    assert page["sections"][1]["content"]["bodyHtml"] == '<p>ok</p><img src="x">'
    assert page["title"] == "Pão Quente" and page["seo"]["metaTitle"] == "Pão Quente bakery"


def test_the_request_is_an_openai_chat_completion(user, configured):
    ask(user, "content-optimize", CONTENT)
    request = configured.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    body = request["body"]
    assert body["model"] == "tiny-model" and body["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert json.loads(body["messages"][1]["content"])["content"] == CONTENT["content"]


def test_a_full_endpoint_url_is_used_as_given(app, user, configured, monkeypatch):
    monkeypatch.setitem(app.config, "AI_API_URL", app.config["AI_API_URL"] + "/chat/completions")
    assert ask(user, "seo-optimize", SEO)["provider"] == "openai"
    assert configured.requests[-1]["path"] == "/v1/chat/completions"


@pytest.mark.parametrize(
    "mode",
    ["500", "not-json", "no-choices", "prose", "not-a-json-object", "wrong-shape", "invalid-values", "hang"],
)
def test_failures_fall_back_to_the_builtin_answer(user, configured, builtin, mode, caplog):
    configured.mode = mode
    with caplog.at_level(logging.WARNING, logger="siteninja.ai"):
        answers = {endpoint: ask(user, endpoint, body) for endpoint, body in (
            ("content-optimize", CONTENT), ("seo-optimize", SEO), ("generate-page", PAGE)
        )}  # fmt: skip
    for endpoint, answer in answers.items():
        assert answer == builtin[endpoint], f"{mode}: {endpoint}"
        assert answer["provider"] == "builtin" and answer["model"] is None
    assert len(configured.requests) >= 3, "the model was really asked"
    assert "answering with the built-in provider" in caplog.text and API_KEY not in caplog.text


def test_a_page_that_does_not_follow_the_template_is_refused(user, configured, builtin):
    configured.mode = "wrong-sections"
    assert ask(user, "generate-page", PAGE) == builtin["generate-page"]


def test_without_a_configured_url_no_request_is_made(user, fake_model):
    model, _ = fake_model
    assert ask(user, "content-optimize", CONTENT)["provider"] == "builtin"
    assert model.requests == []
