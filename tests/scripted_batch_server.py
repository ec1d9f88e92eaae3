"""The Batch API on top of ScriptedServer: /v1/files and /v1/batches, run in memory.

`BatchService` is a `router` for a ScriptedServer. Creating a batch answers every request line
at once with `answer(body)` (a chat-completions body, or a Reply for an error), then reports the
batch as in progress for `polls_before_done` status calls before it is completed, as a real
batch is; with `reject_input` it fails as a whole, as when the provider rejects the file.
Other paths go to `fallback` (or 404).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from scripted_server import RecordedRequest, Reply, error_reply

Answer = Callable[[dict[str, Any]], dict[str, Any] | Reply]


def _multipart_file(request: RecordedRequest) -> tuple[str, bytes, dict[str, str]]:
    """(filename, content, other form fields) of a multipart/form-data upload."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.raw)
    filename, content, fields = "upload", b"", {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            filename, content = part.get_filename(), payload
        elif name:
            fields[str(name)] = payload.decode()
    return filename, content, fields


class BatchService:
    def __init__(
        self,
        answer: Answer,
        *,
        polls_before_done: int = 0,
        fallback: Callable[[RecordedRequest], Reply] | None = None,
        reject_input: str | None = None,
    ) -> None:
        self.answer = answer
        self.polls_before_done = polls_before_done
        self.reject_input = reject_input  # the provider refuses the whole file with this message
        self.fallback = fallback
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.uploads: list[dict[str, str]] = []
        self._polls: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _new_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}-{next(self._ids)}"

    def __call__(self, request: RecordedRequest) -> Reply:
        path = request.path.split("?")[0]
        if request.method == "POST" and path == "/v1/files":
            return self._upload(request)
        if request.method == "POST" and path == "/v1/batches":
            return self._create(request.body)
        if m := re.fullmatch(r"/v1/batches/([\w-]+)", path):
            return self._retrieve(m.group(1))
        if m := re.fullmatch(r"/v1/files/([\w-]+)/content", path):
            content = self.files.get(m.group(1))
            if content is None:
                return error_reply(404, f"no file {m.group(1)}")
            return Reply(body=content)
        if self.fallback is not None:
            return self.fallback(request)
        return error_reply(404, f"scripted batch server: nothing at {request.method} {path}")

    def _upload(self, request: RecordedRequest) -> Reply:
        filename, content, fields = _multipart_file(request)
        file_id = self._new_id("file")
        self.files[file_id] = content
        self.uploads.append({"id": file_id, "filename": filename, **fields})
        return Reply(body=self._file_object(file_id, filename, fields.get("purpose", "batch")))

    def _file_object(self, file_id: str, filename: str, purpose: str) -> dict[str, Any]:
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(self.files[file_id]),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }

    def _create(self, body: dict[str, Any]) -> Reply:
        source = self.files.get(body.get("input_file_id", ""))
        if source is None:
            return error_reply(400, "input_file_id names no uploaded file")
        output, errors = [], []
        for n, line in enumerate(source.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            request = json.loads(line)
            answered = self.answer(request["body"])
            record: dict[str, Any] = {
                "id": f"batch_req_{n}",
                "custom_id": request["custom_id"],
                "error": None,
            }
            if isinstance(answered, Reply):
                record["response"] = {
                    "status_code": answered.status,
                    "request_id": f"req_{n}",
                    "body": answered.body,
                }
                (output if answered.status == 200 else errors).append(record)
            else:
                record["response"] = {
                    "status_code": 200,
                    "request_id": f"req_{n}",
                    "body": answered,
                }
                output.append(record)
        batch_id = self._new_id("batch")
        out_id = self._store("\n".join(json.dumps(r) for r in output) + "\n") if output else None
        err_id = self._store("\n".join(json.dumps(r) for r in errors) + "\n") if errors else None
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body.get("endpoint"),
            "input_file_id": body["input_file_id"],
            "completion_window": body.get("completion_window"),
            "status": "in_progress",
            "created_at": int(time.time()),
            "metadata": body.get("metadata"),
            "errors": None,
            "output_file_id": None,
            "error_file_id": None,
            "request_counts": {"total": len(output) + len(errors), "completed": 0, "failed": 0},
            "_result": (out_id, err_id, len(output), len(errors)),
        }
        self._polls[batch_id] = 0
        if self.polls_before_done <= 0:
            self._finish(batch_id)
        return Reply(body=self._public(batch_id))

    def _store(self, text: str) -> str:
        file_id = self._new_id("file")
        self.files[file_id] = text.encode("utf-8")
        return file_id

    def _finish(self, batch_id: str) -> None:
        batch = self.batches[batch_id]
        if self.reject_input is not None:
            error = {"code": "invalid_request", "message": self.reject_input, "line": 1}
            batch.update(status="failed", errors={"object": "list", "data": [error]})
            return
        out_id, err_id, done, failed = batch["_result"]
        batch.update(status="completed", output_file_id=out_id, error_file_id=err_id)
        batch["request_counts"].update(completed=done, failed=failed)

    def _public(self, batch_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.batches[batch_id].items() if not k.startswith("_")}

    def _retrieve(self, batch_id: str) -> Reply:
        if batch_id not in self.batches:
            return error_reply(404, f"No batch found with id '{batch_id}'.")
        self._polls[batch_id] += 1
        if self._polls[batch_id] >= self.polls_before_done:
            self._finish(batch_id)
        return Reply(body=self._public(batch_id))
