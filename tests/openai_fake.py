"""A local server that speaks OpenAI's wire format, for the real `openai` SDK to talk to in tests.

It serves POST /v1/images/generations (JSON, and SSE when `stream` is true), POST /v1/images/edits
(multipart: `image` / `image[]` and `mask`), POST /v1/responses (the `image_generation` tool) and
GET /v1/models. Every request body is validated against OpenAI's official OpenAPI spec
(../shared/openai-openapi/openapi.yaml beside the repository); a body that fails answers 400 and is
recorded in `validation_failures`. Images are real PNG / JPEG / WebP files made with Pillow in the format
asked for. Like the real API it always answers 404 `model_not_found` for the retired `gpt-image-1`,
`dall-e-2` and `dall-e-3`.

Use it through the function-scoped `openai_server` fixture (tests/conftest.py). The fixture resets the
server and points settings at it: OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=<server>/v1, OPENAI_TIMEOUT=2.

    def test_something(openai_server):
        openai_server.queue("rate_limit", retry_after=7)   # the next request answers 429, Retry-After: 7
        openai_server.queue("server_error", times=2)       # then two 500s
        ...
        assert openai_server.requests[0].path == "/v1/images/generations"
        assert openai_server.requests[0].model == "gpt-image-2.5-sunburst-2026-09-08"
        assert openai_server.requests[0].body["quality"] == "low"
        openai_server.assert_valid()                        # nothing failed spec validation

API of the server object:
- `url`: the base URL including /v1.
- `queue(kind, *, times=1, path=None, retry_after=1, delay=None, message=None)`: script the next
  request(s), in order. `path` (e.g. "/v1/responses") makes a behaviour wait for a request to that path.
  Kinds:
    "rate_limit"            429 `rate_limit_exceeded` with a Retry-After header of `retry_after` seconds
    "server_error"          500
    "slow"                  waits `delay` seconds (default 3, past OPENAI_TIMEOUT=2) before answering
    "moderation"            400 `moderation_blocked`
    "moderation_in_output"  /v1/responses: 200 with a failed image_generation_call item (moderation_blocked)
    "response_failed"       /v1/responses: 200 with status "failed" and error `server_error` (or `message`)
    "invalid_request"       400 `invalid_value` with `message`
    "forbidden"             403 (the key may not use the model)
    "not_found"             404 `model_not_found`
    "unauthorized"          401 `invalid_api_key`
    "garbage"               200 whose base64 image data is not an image
  Scripted behaviours apply after spec validation and after the retired-model 404s. Any key other than
  "sk-test" answers 401 `invalid_api_key`, as a wrong key would.
- `requests`: every request received, in order (`Recorded`: method, path, model, body, headers,
  files). `model` is the top-level model; for /v1/responses `tool_models` lists the image tools' models.
  `body` is the parsed JSON, or for multipart the form fields (files as {"filename", "content_type",
  "size"} entries, `image` always a list).
- `requests_to(path)`: the requests to one path.
- `validation_failures`: (path, message) for each body that did not match the spec. `assert_valid()`.
- `models`: the set of model ids GET /v1/models lists (assign a new set or mutate it).
- `retired`: ids always answered with 404 model_not_found.
- `reset()`: forget records and script and list the default models again (the fixture calls it).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import functools
import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "openai-openapi" / "openapi.yaml"
SPEC_URI = "urn:openai-openapi"
RETIRED_MODELS = frozenset({"gpt-image-1", "dall-e-2", "dall-e-3"})
DEFAULT_MODELS = frozenset(
    {
        "gpt-image-2",
        "gpt-image-2-2026-04-21",
        "gpt-image-2.5-sunburst",
        "gpt-image-2.5-sunburst-2026-09-08",
        "gpt-image-2.5-flare",
        "gpt-image-2.5-flare-2026-09-08",
        "gpt-4.1-mini",
        "gpt-4.1-mini-2025-04-14",
    }
)
REQUEST_SCHEMAS = {
    ("POST", "/v1/images/generations"): "CreateImageRequest",
    ("POST", "/v1/images/edits"): "CreateImageEditRequest",
    ("POST", "/v1/responses"): "CreateResponse",
}
# Images this server returns are never larger than this on their longest edge (the format always matches;
# the size matches whenever it fits), so even a 3840x2160 request stays fast.
MAX_EDGE = 1536
KINDS = {
    "rate_limit",
    "server_error",
    "slow",
    "moderation",
    "moderation_in_output",
    "invalid_request",
    "forbidden",
    "not_found",
    "unauthorized",
    "garbage",
    "response_failed",
}
IN_BODY_KINDS = {"garbage", "moderation_in_output", "response_failed"}


@functools.cache
def spec() -> dict:
    with SPEC_PATH.open("rb") as handle:
        document = yaml.load(handle, Loader=yaml.CSafeLoader)
    _discriminated_one_of_as_any_of(document)
    return document


def _discriminated_one_of_as_any_of(node) -> None:
    """OpenAPI picks a `oneOf` branch by its `discriminator`; JSON Schema cannot see that and rejects a body
    that two branches accept (a user message is both an EasyInputMessage and an Item). Where the spec names
    a discriminator, validate as `anyOf`, which is what the discriminator's choice amounts to."""
    if isinstance(node, dict):
        if "discriminator" in node and "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _discriminated_one_of_as_any_of(value)
    elif isinstance(node, list):
        for value in node:
            _discriminated_one_of_as_any_of(value)


@functools.cache
def validator(schema_name: str):
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec()))
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}, registry=registry)


def schema_errors(schema_name: str, body) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<body>'}: {error.message[:300]}"
        for error in validator(schema_name).iter_errors(body)
    ]


@dataclass
class Behaviour:
    kind: str
    path: str | None = None
    retry_after: float = 1
    delay: float | None = None
    message: str | None = None


@dataclass
class Recorded:
    method: str
    path: str
    body: dict
    headers: dict
    model: str | None = None
    tool_models: list = field(default_factory=list)
    files: dict = field(default_factory=dict)


def make_image(prompt: str, size: str, output_format: str, background: str, index: int = 0) -> bytes:
    """A real image in the requested format; its colours follow the prompt so different prompts differ."""
    try:
        width, height = (int(part) for part in size.split("x"))
    except ValueError:
        width, height = 1024, 1024
    scale = min(1.0, MAX_EDGE / max(width, height))
    width, height = max(16, int(width * scale)), max(16, int(height * scale))
    digest = hashlib.sha256(f"{prompt}\x00{index}".encode()).digest()
    transparent = background == "transparent" and output_format in ("png", "webp")
    if transparent:
        image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        fill = (*digest[3:6], 255)
    else:
        image = Image.new("RGB", (width, height), tuple(digest[0:3]))
        fill = tuple(digest[3:6])
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=fill)
    buffer = io.BytesIO()
    if output_format == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=80)
    elif output_format == "webp":
        image.save(buffer, "WEBP", quality=80)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def image_usage(prompt: str, size: str, quality: str, image_inputs: int = 0, n: int = 1) -> dict:
    """Token counts in the shape the Images API reports, roughly like the real ones."""
    try:
        width, height = (int(part) for part in size.split("x"))
    except ValueError:
        width, height = 1024, 1024
    per_image = {"low": 272, "medium": 1056, "high": 4160}.get(quality, 1056)
    output = int(per_image * width * height / (1024 * 1024)) * n
    text = max(1, len(prompt) // 4)
    image = 323 * image_inputs
    return {
        "total_tokens": text + image + output,
        "input_tokens": text + image,
        "output_tokens": output,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image},
    }


def error_body(message: str, code: str | None, type_: str = "invalid_request_error", param=None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class FakeOpenAI:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._counter = 0
        self.script: list[Behaviour] = []
        self.requests: list[Recorded] = []
        self.validation_failures: list[tuple[str, str]] = []
        self.models: set[str] = set(DEFAULT_MODELS)
        self.retired: set[str] = set(RETIRED_MODELS)
        self._httpd: ThreadingHTTPServer | None = None

    # --- the test-facing API -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def queue(
        self,
        kind: str,
        *,
        times: int = 1,
        path: str | None = None,
        retry_after: float = 1,
        delay: float | None = None,
        message: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown behaviour {kind!r}; one of {sorted(KINDS)}")
        with self._lock:
            for _ in range(times):
                self.script.append(Behaviour(kind, path, retry_after, delay, message))

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def assert_valid(self) -> None:
        assert not self.validation_failures, f"requests failed the OpenAPI spec: {self.validation_failures}"

    def reset(self) -> None:
        self._wake.set()  # release any request still sleeping in a "slow" behaviour
        with self._lock:
            self.script.clear()
            self.requests.clear()
            self.validation_failures.clear()
            self.models = set(DEFAULT_MODELS)
            self.retired = set(RETIRED_MODELS)
        self._wake = threading.Event()

    def start(self) -> FakeOpenAI:
        spec()  # load the spec once, before the first request needs it
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name="openai-fake", daemon=True).start()
        return self

    def stop(self) -> None:
        self._wake.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    # --- internals ------------------------------------------------------------------------------------

    def _next_request_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"req_fake{self._counter:06d}"

    def _take_behaviour(self, path: str) -> Behaviour | None:
        with self._lock:
            for i, behaviour in enumerate(self.script):
                if behaviour.path in (None, path):
                    return self.script.pop(i)
        return None

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
                pass

            def do_GET(self):
                server._handle(self, "GET")

            def do_POST(self):
                server._handle(self, "POST")

        return Handler

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        request_id = self._next_request_id()
        content_type = handler.headers.get("Content-Type", "")
        try:
            body, files = self._parse(raw, content_type)
        except ValueError as exc:
            return self._send_json(handler, 400, error_body(f"Could not parse the body: {exc}", None), request_id)
        record = Recorded(
            method=method,
            path=path,
            body=body,
            headers={k.lower(): v for k, v in handler.headers.items()},
            model=body.get("model"),
            tool_models=[t.get("model") for t in body.get("tools") or [] if t.get("type") == "image_generation"],
            files=files,
        )
        with self._lock:
            self.requests.append(record)

        if handler.headers.get("Authorization") != "Bearer sk-test":
            return self._send_json(
                handler, 401, error_body("Incorrect API key provided.", "invalid_api_key"), request_id
            )
        route = (method, path)
        if route == ("GET", "/v1/models"):
            behaviour = self._take_behaviour(path)
            if behaviour:
                return self._scripted(handler, behaviour, request_id)
            return self._send_json(handler, 200, self._model_list(), request_id)
        if route not in REQUEST_SCHEMAS:
            return self._send_json(handler, 404, error_body(f"Unknown route {method} {path}", None), request_id)

        errors = schema_errors(REQUEST_SCHEMAS[route], self._for_validation(route, body))
        if errors:
            with self._lock:
                self.validation_failures.append((path, "; ".join(errors)))
            return self._send_json(handler, 400, error_body("; ".join(errors), "invalid_request_body"), request_id)
        for model in [record.model, *record.tool_models]:
            if model in self.retired:
                message = f"The model `{model}` does not exist or you do not have access to it."
                return self._send_json(handler, 404, error_body(message, "model_not_found"), request_id)

        behaviour = self._take_behaviour(path)
        kind = behaviour.kind if behaviour else ""
        if behaviour and kind not in IN_BODY_KINDS:
            return self._scripted(handler, behaviour, request_id)
        garbage = kind == "garbage"
        if path == "/v1/responses":
            answer = self._response(body, garbage, moderated=kind == "moderation_in_output")
            if kind == "response_failed":
                message = behaviour.message or "The server had an error while processing your request."
                answer.update(status="failed", output=[], error={"code": "server_error", "message": message})
            return self._send_json(handler, 200, answer, request_id)
        return self._images(handler, path, body, files, garbage, request_id)

    def _parse(self, raw: bytes, content_type: str) -> tuple[dict, dict]:
        if not raw:
            return {}, {}
        if content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
            )
            if not message.is_multipart():
                raise ValueError("not a multipart body")
            body: dict = {}
            files: dict = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True) or b""
                if filename is not None:
                    key = name.removesuffix("[]")
                    info = {"filename": filename, "content_type": part.get_content_type(), "size": len(payload)}
                    files.setdefault(key, []).append(payload)
                    if key == "image":
                        body.setdefault("image", []).append(info)
                    else:
                        body[key] = info
                else:
                    body[name] = payload.decode()
            return body, files
        try:
            return json.loads(raw), {}
        except json.JSONDecodeError as exc:
            raise ValueError(str(exc)) from exc

    def _for_validation(self, route, body: dict) -> dict:
        """Multipart fields arrive as strings and files: give them the types the schema describes."""
        if route != ("POST", "/v1/images/edits"):
            return body
        properties = spec()["components"]["schemas"]["CreateImageEditRequest"]["properties"]
        converted = {}
        for name, value in body.items():
            if name == "image":
                converted[name] = ["<binary>"] * len(value) if len(value) > 1 else "<binary>"
            elif isinstance(value, dict):  # an uploaded file
                converted[name] = "<binary>"
            elif properties.get(name, {}).get("type") == "integer":
                converted[name] = int(value) if value.lstrip("-").isdigit() else value
            elif properties.get(name, {}).get("type") == "boolean":
                converted[name] = {"true": True, "false": False}.get(value, value)
            else:
                converted[name] = value
        return converted

    def _model_list(self) -> dict:
        return {
            "object": "list",
            "data": [
                {"id": model_id, "object": "model", "created": 1_760_000_000, "owned_by": "openai"}
                for model_id in sorted(self.models)
            ],
        }

    def _scripted(self, handler, behaviour: Behaviour, request_id: str) -> None:
        kind = behaviour.kind
        if kind == "slow":
            self._wake.wait(behaviour.delay if behaviour.delay is not None else 3)
            try:
                return self._send_json(handler, 500, error_body("Too late.", None, "server_error"), request_id)
            except OSError:
                return None  # the client timed out and went away, as intended
        answers = {
            "rate_limit": (429, "Rate limit reached for requests. Please try again later.", "rate_limit_exceeded"),
            "server_error": (500, "The server had an error while processing your request.", None),
            "moderation": (
                400,
                "Your request was rejected as a result of our safety system.",
                "moderation_blocked",
            ),
            "invalid_request": (400, "Invalid value for 'size'.", "invalid_value"),
            "forbidden": (403, "Your organization must be verified to use this model.", None),
            "not_found": (404, "The model does not exist or you do not have access to it.", "model_not_found"),
            "unauthorized": (401, "Incorrect API key provided.", "invalid_api_key"),
        }
        status, message, code = answers[kind]
        type_ = {429: "requests", 500: "server_error"}.get(status, "invalid_request_error")
        headers = {"Retry-After": f"{behaviour.retry_after:g}"} if kind == "rate_limit" else {}
        self._send_json(handler, status, error_body(behaviour.message or message, code, type_), request_id, headers)

    def _images(self, handler, path, body, files, garbage: bool, request_id: str) -> None:
        prompt = str(body.get("prompt", ""))
        size = str(body.get("size") or "1024x1024")
        if size == "auto":
            size = "1024x1024"
        quality = str(body.get("quality") or "medium")
        if quality == "auto":
            quality = "medium"
        output_format = str(body.get("output_format") or "png")
        background = str(body.get("background") or "auto")
        n = int(body.get("n") or 1)
        inputs = len(files.get("image", []))
        images = [
            b"this is not an image" if garbage else make_image(prompt, size, output_format, background, index=i)
            for i in range(n)
        ]
        encoded = [base64.b64encode(data).decode() for data in images]
        usage = image_usage(prompt, size, quality, image_inputs=inputs, n=n)
        resolved_background = "transparent" if background == "transparent" else "opaque"
        if str(body.get("stream")).lower() == "true":
            prefix = "image_edit" if path.endswith("/edits") else "image_generation"
            partials = int(body.get("partial_images") or 0)
            common = {
                "created_at": int(time.time()),
                "size": size if size in ("1024x1024", "1024x1536", "1536x1024") else "auto",
                "quality": quality,
                "background": background,
                "output_format": output_format,
            }
            events = [
                (
                    f"{prefix}.partial_image",
                    {
                        "type": f"{prefix}.partial_image",
                        "b64_json": base64.b64encode(
                            make_image(f"{prompt} partial {i}", "256x256", output_format, background)
                        ).decode(),
                        "partial_image_index": i,
                        **common,
                    },
                )
                for i in range(partials)
            ]
            events += [
                (f"{prefix}.completed", {"type": f"{prefix}.completed", "b64_json": data, "usage": usage, **common})
                for data in encoded
            ]
            return self._send_sse(handler, events, request_id)
        answer = {
            "created": int(time.time()),
            "data": [{"b64_json": data} for data in encoded],
            "background": resolved_background,
            "output_format": output_format,
            "quality": quality,
            "size": size,
            "usage": usage,
        }
        self._send_json(handler, 200, answer, request_id)

    def _text_response(self, body: dict) -> dict:
        """A text model asked with no image tool (prompt enhancement): a deterministic rewrite."""
        prompt = str(body.get("input", ""))
        text = f"{prompt}, rendered with soft light, rich detail and a clean composition"
        return {
            "id": "resp_fake0002",
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": body.get("model"),
            "output": [
                {
                    "id": "msg_fake0002",
                    "type": "message",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
            ],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "usage": {
                "input_tokens": 60 + len(prompt) // 4,
                "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": len(text) // 4,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": 60 + len(prompt) // 4 + len(text) // 4,
            },
        }

    def _response(self, body: dict, garbage: bool, moderated: bool) -> dict:
        if not any(t.get("type") == "image_generation" for t in body.get("tools") or []):
            return self._text_response(body)
        tool = next((t for t in body.get("tools") or [] if t.get("type") == "image_generation"), {})
        prompt_parts, image_inputs = [], 0
        items = body.get("input")
        for item in items if isinstance(items, list) else [{"content": [{"type": "input_text", "text": items}]}]:
            content = item.get("content")
            for part in content if isinstance(content, list) else [{"type": "input_text", "text": content}]:
                if part.get("type") == "input_text":
                    prompt_parts.append(str(part.get("text", "")))
                elif part.get("type") == "input_image":
                    image_inputs += 1
        prompt = " ".join(prompt_parts)
        size = str(tool.get("size") or "1024x1024")
        size = "1024x1024" if size == "auto" else size
        quality = str(tool.get("quality") or "medium")
        quality = "medium" if quality == "auto" else quality
        output_format = str(tool.get("output_format") or "png")
        background = str(tool.get("background") or "auto")
        call = {
            "id": "ig_fake0001",
            "type": "image_generation_call",
            "status": "completed",
            "result": base64.b64encode(
                b"not an image at all" if garbage else make_image(prompt, size, output_format, background)
            ).decode(),
            "background": "transparent" if background == "transparent" else "opaque",
            "output_format": output_format,
            "quality": quality,
            "size": size,
            "revised_prompt": f"{prompt} (revised)",
        }
        if moderated:
            call.update(
                status="failed",
                result=None,
                error={
                    "type": "image_generation_user_error",
                    "code": "moderation_blocked",
                    "message": "Your request was rejected as a result of our safety system.",
                },
            )
        image_usage_ = image_usage(prompt, size, quality, image_inputs=image_inputs)
        text_in = 40 + len(prompt) // 4 + 85 * image_inputs
        return {
            "id": "resp_fake0001",
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": body.get("model"),
            "output": [
                call,
                {
                    "id": "msg_fake0001",
                    "type": "message",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": "Here is your image.", "annotations": []}],
                },
            ],
            "parallel_tool_calls": True,
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools", []),
            "usage": {
                "input_tokens": text_in,
                "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": 30,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": text_in + 30,
            },
            "tool_usage": {
                "image_gen": {
                    **image_usage_,
                    "output_tokens_details": {"image_tokens": image_usage_["output_tokens"], "text_tokens": 0},
                },
                "web_search": {"num_requests": 0},
            },
        }

    def _send_json(self, handler, status: int, payload: dict, request_id: str, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-request-id", request_id)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _send_sse(self, handler, events: list[tuple[str, dict]], request_id: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("x-request-id", request_id)
        handler.send_header("Connection", "close")
        handler.end_headers()
        for name, payload in events:
            handler.wfile.write(f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode())
            handler.wfile.flush()
        handler.close_connection = True


_shared: FakeOpenAI | None = None
_shared_lock = threading.Lock()


def shared_server() -> FakeOpenAI:
    """One server per test process, started on first use (the spec is loaded once)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FakeOpenAI().start()
        return _shared
