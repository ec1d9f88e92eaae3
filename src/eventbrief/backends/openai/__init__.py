"""The `openai` backend: everything that talks to an OpenAI-compatible endpoint.

client.py is the backend (schema.py what it sends, meter.py its usage, retry.py and
retry_after.py its one retry policy, errors.py its failure lines, rate_gate.py and
http_deadline.py its HTTP limits, chat_stream.py streamed answers); endpoint_check.py finds out
what an endpoint supports, batch/ speaks the Batch API, narrate.py writes a brief's paragraph.
Only this package imports openai and instructor.
"""

import logging

# instructor logs every failed attempt at ERROR; without a handler Python prints those to
# stderr, which must carry only our one-line messages. Those records also quote the endpoint's
# error body verbatim (a proxy may echo the API key there), so they never propagate to handlers
# configured elsewhere (OPENAI_LOG=debug installs one on the root logger).
_instructor_log = logging.getLogger("instructor")
_instructor_log.addHandler(logging.NullHandler())
_instructor_log.propagate = False
