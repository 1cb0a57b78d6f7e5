"""The JSON-over-HTTP order-status provider against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.contacts.order_status import (
    JsonHttpProvider,
    OrderQuery,
    OrderStatus,
    OrderStatusUnavailable,
    lookup_within,
)
from contactpunt.contacts.tests.workspace_data import mail


class Shop(BaseHTTPRequestHandler):
    """Answers /orders?email=... like a web shop's order API; `mode` picks a failure to act out."""

    mode = "ok"
    seen: list[str] = []

    def do_GET(self) -> None:
        Shop.seen.append(self.path)
        query = parse_qs(urlsplit(self.path).query)
        if Shop.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        if Shop.mode == "slow":  # answers, but only after the workspace has stopped waiting
            time.sleep(2)
        if Shop.mode == "garbage":
            body = b"<html>maintenance</html>"
        elif query.get("email") == ["klant@example.nl"]:
            body = json.dumps(
                {
                    "orders": [
                        {
                            "reference": "KH-1042",
                            "status": "verzonden",
                            "updated_at": "2026-03-02T09:30:00+01:00",
                            "detail": "PostNL 3STEST1234",
                            "url": "https://shop.example/orders/KH-1042",
                        },
                        {"reference": "KH-0999", "status": "bezorgd", "url": "javascript:alert(1)"},
                    ]
                }
            ).encode()
        else:
            body = b'{"orders": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def shop() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    Shop.mode = "ok"
    Shop.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_provider_reads_the_orders_of_a_customer(shop):
    provider = JsonHttpProvider(shop + "/orders?email={email}&customer={customer_id}")
    orders = provider.lookup(OrderQuery(customer_id=7, email="klant@example.nl"))
    assert orders == [
        OrderStatus(
            reference="KH-1042",
            status="verzonden",
            updated_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            detail="PostNL 3STEST1234",
            url="https://shop.example/orders/KH-1042",
        ),
        OrderStatus(reference="KH-0999", status="bezorgd"),  # a non-http link is dropped
    ]
    assert Shop.seen == ["/orders?email=klant%40example.nl&customer=7"]
    assert provider.lookup(OrderQuery(customer_id=8, email="a&b=c@example.nl")) == []
    assert Shop.seen[-1] == "/orders?email=a%26b%3Dc%40example.nl&customer=8"


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_a_failing_shop_is_unavailable(shop, mode):
    Shop.mode = mode
    with pytest.raises(OrderStatusUnavailable):
        JsonHttpProvider(shop + "/orders?email={email}").lookup(OrderQuery(customer_id=1, email="klant@example.nl"))


def test_an_unreachable_shop_or_another_scheme_is_unavailable():
    with pytest.raises(OrderStatusUnavailable):
        JsonHttpProvider("http://127.0.0.1:9/orders", timeout_s=1).lookup(OrderQuery(customer_id=1))
    with pytest.raises(OrderStatusUnavailable):
        JsonHttpProvider("file:///etc/passwd").lookup(OrderQuery(customer_id=1))


@pytest.mark.django_db
def test_the_case_view_shows_the_orders(shop, settings, email_queue, team_lead):
    settings.ORDER_STATUS_URL = shop + "/orders?email={email}"
    case = mail(email_queue, timezone.now(), "m1")
    client = Client()
    client.force_login(team_lead)
    page = client.get(reverse("workspace:orders", args=[case.pk])).content.decode()
    assert "KH-1042" in page and "verzonden" in page
    Shop.mode = "error"
    page = client.get(reverse("workspace:orders", args=[case.pk])).content.decode()
    assert "De orderstatus is nu niet op te halen." in page


def test_a_shop_that_answers_too_late_or_a_broken_provider_is_unavailable_not_a_hang(shop):
    Shop.mode = "slow"
    with pytest.raises(OrderStatusUnavailable, match=r"no answer within 0\.3 s"):
        lookup_within(JsonHttpProvider(shop + "/orders?email={email}"), OrderQuery(1, "a@b.nl"), deadline_s=0.3)
    # a plugin's own bug (here a placeholder the URL template does not know) is an unavailable shop, not a 500
    with pytest.raises(OrderStatusUnavailable, match="provider failed"):
        lookup_within(JsonHttpProvider(shop + "/orders?id={order_id}"), OrderQuery(1))
    Shop.mode = "ok"
    found = lookup_within(JsonHttpProvider(shop + "/orders?email={email}"), OrderQuery(1, "klant@example.nl"))
    assert [o.reference for o in found] == ["KH-1042", "KH-0999"]


@pytest.mark.django_db
def test_the_order_panel_ends_in_an_error_with_a_retry_when_the_provider_is_broken(shop, settings, email_queue, agent):
    settings.ORDER_STATUS_URL = shop + "/orders?id={order_id}"
    case = mail(email_queue, timezone.now(), "m1")
    client = Client()
    client.force_login(agent)
    url = reverse("workspace:orders", args=[case.pk])

    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "De orderstatus is nu niet op te halen." in page
    assert f'hx-get="{url}"' in page and "Opnieuw proberen" in page
