"""Extraction beyond one machine: the OpenAI Batch API (and vLLM's `run-batch`, same JSONL).

`prepare` writes one chat-completions request per article with a strict JSON-schema response
format; `submit`, `status` and `download` talk to /v1/files and /v1/batches; `collect` validates
and grounds every answer exactly as a live run does, re-asks nothing, and reports each failure by
article. Each module holds one step.
"""
