"""Where the customer is in their order, from an order-status provider behind a small plugin interface.

A provider answers `lookup(query)` with the customer's recent orders. The one shipped reads a JSON-over-HTTP
endpoint: `ORDER_STATUS_URL` is a URL template with {email}, {phone}, {customer_id} and {account}
(URL-encoded), answered with `{"orders": [{"reference": ..., "status": ..., "updated_at": ..., "detail": ...,
"url": ...}]}`. A provider that fails raises OrderStatusUnavailable; the workspace shows that and goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from contactpunt.customers.models import Customer, IdentityKind

MAX_ORDERS = 10
MAX_BYTES = 256 * 1024
#: The longest the workspace waits for a provider in all (the HTTP timeout is per socket operation, so a shop
#: that trickles its answer could otherwise hold the case page's order panel for long).
DEADLINE_S = 5.0

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """Who to look up; empty strings for what is unknown."""

    customer_id: int
    email: str = ""
    phone: str = ""
    account: str = ""

    @classmethod
    def for_customer(cls, customer: Customer) -> OrderQuery:
        """The query for a customer from their (prefetched) identities and account."""
        identities = list(customer.identities.all())
        email = next((i.value for i in identities if i.kind == IdentityKind.EMAIL), "")
        phone = next((i.value for i in identities if i.kind == IdentityKind.PHONE), "")
        return cls(customer.pk, email, phone, customer.account.external_ref if customer.account else "")


@dataclass(frozen=True, slots=True)
class OrderStatus:
    reference: str
    status: str
    updated_at: dt.datetime | None = None
    detail: str = ""
    url: str = ""


class OrderStatusUnavailable(Exception):
    """The provider did not answer usefully (down, slow, malformed)."""


class OrderStatusProvider(Protocol):
    def lookup(self, query: OrderQuery) -> list[OrderStatus]:
        """The customer's orders, newest first; [] when there are none. Raise OrderStatusUnavailable."""
        ...


@dataclass(frozen=True, slots=True)
class JsonHttpProvider:
    """Reads orders from a JSON endpoint; `url_template` is an http(s) URL with {email}, {phone},
    {customer_id} and {account} placeholders."""

    url_template: str
    timeout_s: float = 3.0

    def url_for(self, query: OrderQuery) -> str:
        quote = urllib.parse.quote
        return self.url_template.format(
            email=quote(query.email, safe=""),
            phone=quote(query.phone, safe=""),
            customer_id=query.customer_id,
            account=quote(query.account, safe=""),
        )

    def lookup(self, query: OrderQuery) -> list[OrderStatus]:
        url = self.url_for(query)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise OrderStatusUnavailable("the order-status URL is not http(s)")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 (scheme checked)
                body = response.read(MAX_BYTES + 1)
        except (OSError, urllib.error.URLError) as error:
            raise OrderStatusUnavailable(f"order-status request failed: {error}") from error
        if len(body) > MAX_BYTES:
            raise OrderStatusUnavailable("order-status answer is too large")
        try:
            data = json.loads(body)
            return [_order(item) for item in data["orders"][:MAX_ORDERS]]
        except (ValueError, KeyError, TypeError) as error:
            raise OrderStatusUnavailable(f"order-status answer is malformed: {error}") from error


def _order(item: dict[str, object]) -> OrderStatus:
    updated = item.get("updated_at")
    return OrderStatus(
        reference=str(item["reference"])[:100],
        status=str(item["status"])[:100],
        updated_at=dt.datetime.fromisoformat(updated) if isinstance(updated, str) and updated else None,
        detail=str(item.get("detail") or "")[:500],
        url=str(item.get("url") or "")[:500] if str(item.get("url") or "").startswith(("http://", "https://")) else "",
    )


def lookup_within(
    provider: OrderStatusProvider, query: OrderQuery, deadline_s: float = DEADLINE_S
) -> list[OrderStatus]:
    """The provider's answer within `deadline_s` seconds; OrderStatusUnavailable when it is late or fails in any
    way (a plugin's own bug included), so the order panel always ends in orders, none, or an error."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="order-status")
    try:
        return pool.submit(provider.lookup, query).result(timeout=deadline_s)
    except OrderStatusUnavailable:
        raise
    except FutureTimeout as error:
        raise OrderStatusUnavailable(f"no answer within {deadline_s:g} s") from error
    except Exception as error:
        log.exception("order-status provider %r failed", provider)
        raise OrderStatusUnavailable(f"order-status provider failed: {error}") from error
    finally:
        pool.shutdown(wait=False)  # a late answer is dropped; its thread ends with the HTTP timeout


def configured_provider() -> OrderStatusProvider | None:
    """The provider the settings configure (ORDER_STATUS_URL, else the environment variable of that name),
    or None when there is none."""
    url = getattr(settings, "ORDER_STATUS_URL", "") or os.environ.get("ORDER_STATUS_URL", "").strip()
    return JsonHttpProvider(url) if url else None
