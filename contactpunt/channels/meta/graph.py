"""A small client for Meta's Graph API (stdlib urllib), mapping its errors to retryable or permanent SendErrors.

The base URL is the app's `graph_url`, so tests (and a proxy) can stand in for graph.facebook.com.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from contactpunt.channels.senders import SendError

TIMEOUT_S = 20.0
#: Graph error codes that say "try again later" (rate limits, temporary outages).
RETRYABLE_CODES = frozenset({1, 2, 4, 17, 32, 341, 368, 613, 80007, 130429, 131016, 131048, 131056})
#: WhatsApp: more than 24 hours since the customer's last message ("re-engagement message").
WINDOW_CLOSED_CODE = 131047


def post(*, base_url: str, version: str, path: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST `payload` as JSON to <base_url>/<version>/<path> and return the JSON answer; raise SendError."""
    url = f"{base_url.rstrip('/')}/{version.strip('/')}/{path.lstrip('/')}"
    if not url.startswith(("https://", "http://")):
        raise SendError(f"the Graph API address must be http(s): {base_url!r}", permanent=True)
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (http(s) only, checked above)
            body = response.read()
    except urllib.error.HTTPError as error:
        raise _http_error(error.code, error.read()) from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise SendError(f"Graph API unreachable: {error}") from error
    try:
        answer = json.loads(body or b"{}")
    except ValueError as error:
        raise SendError(f"Graph API answered with something that is not JSON: {body[:200]!r}") from error
    return answer if isinstance(answer, dict) else {}


def _http_error(status: int, body: bytes) -> SendError:
    try:
        error = json.loads(body).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code")
    message = str(error.get("message", "")) or body[:200].decode(errors="replace")
    reason = f"Graph API {status} (code {code}): {message}"
    if code == WINDOW_CLOSED_CODE:
        return SendError(f"{reason}: outside WhatsApp's 24-hour window, only a template can be sent", permanent=True)
    retryable = status >= 500 or status == 429 or bool(error.get("is_transient")) or code in RETRYABLE_CODES
    return SendError(reason, permanent=not retryable)
