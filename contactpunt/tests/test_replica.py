"""Dashboards read from the replica, everything else from the primary (`contactpunt.replica`).

The suite's `replica` alias mirrors the test database; a transactional test commits its data, so a read through
the replica's own connection sees it, as a real replica would after replication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from contactpunt import replica
from contactpunt.contacts.models import Queue
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import User

ROUTER = replica.ReplicaRouter()


def test_reads_go_to_the_replica_only_inside_a_dashboard_and_only_when_switched_on() -> None:
    with override_settings(REPLICA_READS=True):
        assert ROUTER.db_for_read(Queue) is None
        with replica.reads():
            assert ROUTER.db_for_read(Queue) == replica.REPLICA
            assert ROUTER.db_for_write(Queue) is None  # writes take the primary
        assert ROUTER.db_for_read(Queue) is None
    with override_settings(REPLICA_READS=False), replica.reads():
        assert ROUTER.db_for_read(Queue) is None
    assert ROUTER.allow_migrate(replica.REPLICA, "contacts") is False
    assert ROUTER.allow_migrate(DEFAULT_DB_ALIAS, "contacts") is None


def test_a_row_read_from_the_replica_is_written_to_the_primary() -> None:
    queue = Queue(code="q", name="Q")
    queue._state.db = replica.REPLICA
    assert ROUTER.db_for_write(Queue, instance=queue) == DEFAULT_DB_ALIAS


def test_every_kpi_page_that_shows_figures_reads_from_the_replica() -> None:
    (kpis,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "kpis"]
    marked = {
        p.name
        for p in kpis.url_patterns
        if isinstance(p, URLPattern) and getattr(p.callback, "reads_from_replica", False)
    }
    # The index only redirects, the formula page shows a definition: neither reads figures.
    assert marked == {p.name for p in kpis.url_patterns if isinstance(p, URLPattern)} - {"index", "formula"}


@pytest.fixture
def replica_connection() -> Iterator[None]:
    yield
    # The replica's pooled connections would keep the test database open and stop its teardown on PostgreSQL.
    connection = connections[replica.REPLICA]
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


@pytest.mark.usefixtures("replica_connection")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, replica.REPLICA])
def test_a_dashboard_reads_its_figures_from_the_replica_and_the_workspace_from_the_primary(
    phone_queue: Queue, agent: User, team_lead: User
) -> None:
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    call(phone_queue, today, wait=10, talk=60, agent=agent)  # committed: the replica's connection sees it
    client = Client()
    client.force_login(team_lead)
    with (
        override_settings(REPLICA_READS=True),
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        page = client.get(reverse("kpis:manager"), {"period": "week"}, HTTP_ACCEPT_LANGUAGE="nl")
        assert page.status_code == 200
        figure_reads = len(on_replica.captured_queries)
        primary_before = len(on_primary.captured_queries)
        assert client.get(reverse("workspace:inbox")).status_code == 200
    assert figure_reads > 5  # the page's figures came from the replica
    tables_on_primary = " ".join(q["sql"] for q in on_primary.captured_queries[:primary_before])
    assert "kpis_" not in tables_on_primary and "contacts_contact" not in tables_on_primary
    assert len(on_replica.captured_queries) == figure_reads  # the workspace never reads the replica
