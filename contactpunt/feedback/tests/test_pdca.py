"""The PDCA report: last time's actions with the change in NPS since, the figures, and agreeing new actions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from contactpunt.contacts.models import Queue
from contactpunt.feedback.models import PdcaAction
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.templatetags.feedback_tags import nps, share
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import Team, User

pytestmark = pytest.mark.django_db


def test_the_report_shows_the_effect_and_the_lead_agrees_an_action(
    email_queue: Queue, agent: User, team_lead: User, team: Team, t0: dt.datetime
) -> None:
    march = dt.date(2026, 3, 1)
    PdcaAction.objects.create(team=team, month=march, text="Terugbelverzoek binnen een uur")
    for n, score in enumerate(["9", "10", "4"]):
        _, token = invited(email_queue, agent, t0, f"m{n}", sender=f"k{n}@example.nl")
        submit_answer(token, {"score": score}, t0 + dt.timedelta(hours=2))
    client = Client()
    client.force_login(team_lead)
    page = client.get(f"/feedback/pdca/?team={team.pk}&date=2026-03-15").content.decode()
    assert "Terugbelverzoek binnen een uur" in page and "PDCA-rapport" in page and "+33" in page
    assert client.post(f"/feedback/pdca/?team={team.pk}&date=2026-03-15", {"text": " "}).status_code == 400
    response = client.post(f"/feedback/pdca/?team={team.pk}&date=2026-03-15", {"text": "Coaching op uitleg"})
    assert response.status_code == 302
    assert list(PdcaAction.objects.filter(month=dt.date(2026, 4, 1)).values_list("text", "created_by")) == [
        ("Coaching op uitleg", team_lead.pk)
    ]
    client.force_login(agent)
    assert client.get(f"/feedback/pdca/?team={team.pk}").status_code == 403


def test_the_pdf_holds_the_same_figures_in_dutch(
    email_queue: Queue, agent: User, team_lead: User, team: Team, t0: dt.datetime
) -> None:
    march = dt.date(2026, 3, 1)
    PdcaAction.objects.create(team=team, month=march, text="Terugbelverzoek binnen een uur <snel>")
    PdcaAction.objects.create(team=team, month=dt.date(2026, 4, 1), text="Coaching op uitleg & toon")
    for n, score in enumerate(["9", "10", "4", "8"]):
        _, token = invited(email_queue, agent, t0, f"m{n}", sender=f"k{n}@example.nl")
        submit_answer(token, {"score": score, "solved": "yes" if n < 3 else "no"}, t0 + dt.timedelta(hours=2))
    client = Client()
    client.force_login(team_lead)
    url = f"/feedback/pdca/?team={team.pk}&date=2026-03-15"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    html = page.content.decode()
    assert f'href="/feedback/pdca/pdf/?team={team.pk}&amp;date=2026-03-01"' in html
    figures = page.context["figures"]
    shown = [nps(figures.nps), share(figures.solved)]  # the page's own figures, formatted as on the page
    assert all(figure in html for figure in shown)

    response = client.get(f"/feedback/pdca/pdf/?team={team.pk}&date=2026-03-15", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pdca-team-noord-2026-03.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert f"PDCA-rapport: {team.name}" in text and "maart 2026" in text
    assert "+25 (" in nps(figures.nps)  # 2 promoters, 1 detractor of 4
    for figure in shown:
        assert figure in text, figure
    assert "Terugbelverzoek binnen een uur <snel>" in text and "Coaching op uitleg & toon" in text
    assert "Wat NPS drijft" in text and "Deze maand" in text and "Vorige maand" in text
    # no network, no browser: the PDF embeds its font
    assert b"/FontFile2" in response.content

    client.force_login(agent)
    assert client.get(f"/feedback/pdca/pdf/?team={team.pk}").status_code == 403
    assert client.post(f"/feedback/pdca/pdf/?team={team.pk}").status_code == 405
