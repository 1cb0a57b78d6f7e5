"""Scorecards (versioned, weighted, an auto-fail criterion), scoring a review beside the case's timeline, and a
calibration round with Krippendorff's alpha per criterion, a criterion below 0.667 flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from contactpunt.conftest import make_user
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import Role
from contactpunt.quality import calibration
from contactpunt.quality.models import Review, Scorecard
from contactpunt.quality.services import CriterionSpec, create_scorecard, score_review, start_calibration

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)
CRITERIA = [
    CriterionSpec("Begrijpt de vraag", weight=2),
    CriterionSpec("Duidelijk wat er gaat gebeuren", weight=1),
    CriterionSpec("Juist en volledig antwoord", weight=3),
    CriterionSpec("AVG-controle gedaan", is_auto_fail=True),
]


def test_a_new_version_keeps_the_old_one_and_its_reviews() -> None:
    first = create_scorecard(name="Kwaliteit", criteria=CRITERIA)
    second = create_scorecard(name="Kwaliteit", criteria=CRITERIA[:2])
    assert list(Scorecard.objects.values_list("version", "is_active")) == [(2, True), (1, False)]
    assert first.criteria.count() == 4 and second.criteria.count() == 2
    with pytest.raises(ValueError, match="weight"):
        create_scorecard(name="Alleen AVG", criteria=[CRITERIA[3]])
    with pytest.raises(ValueError, match="name"):
        create_scorecard(name=" ", criteria=CRITERIA)


@pytest.fixture
def setup(team, phone_queue):
    agent = make_user("anna", Role.AGENT, team)
    lead = make_user("lotte", Role.TEAM_LEAD, team)
    manager = make_user("marco", Role.MANAGER, team)
    card = create_scorecard(name="Kwaliteit", criteria=CRITERIA)
    contacts = [call(phone_queue, NOW - dt.timedelta(hours=n + 1), wait=5, talk=60, agent=agent) for n in range(4)]
    return agent, lead, manager, card, contacts


def test_the_score_is_weighted_and_the_auto_fail_fails_it(setup) -> None:
    agent, lead, _manager, card, contacts = setup
    ids = [c.pk for c in card.criteria.all()]
    review = Review.objects.create(scorecard=card, contact=contacts[0], agent=agent, reviewer=lead, assigned_at=NOW)
    score_review(review=review, values={ids[0]: 4, ids[1]: None, ids[2]: 2, ids[3]: 1}, by=lead, now=NOW)
    assert review.score == pytest.approx(100 * (2 * 1 + 3 * 0.5) / 5)
    assert review.is_failed is False
    score_review(review=review, values={ids[0]: 4, ids[1]: 4, ids[2]: 4, ids[3]: 0}, by=lead, now=NOW)
    review.refresh_from_db()
    assert (review.score, review.is_failed) == (0.0, True)
    with pytest.raises(ValueError, match=f"criterion-{ids[2]}"):
        score_review(review=review, values={ids[0]: 4, ids[1]: 4, ids[2]: 5, ids[3]: 1}, by=lead, now=NOW)
    with pytest.raises(PermissionError):
        score_review(review=review, values=dict.fromkeys(ids, 1), by=agent, now=NOW)


def test_the_review_page_shows_the_timeline_and_only_the_reviewer_scores(setup) -> None:
    agent, lead, manager, card, contacts = setup
    review = Review.objects.create(scorecard=card, contact=contacts[0], agent=agent, reviewer=lead, assigned_at=NOW)
    ids = [c.pk for c in card.criteria.all()]
    url = f"/quality/reviews/{review.pk}/"
    clients = {}
    for user in (agent, lead, manager):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    assert clients["anna"].get(url).status_code == 404  # not done yet
    case_page = clients["lotte"].get(f"/workspace/cases/{contacts[0].case_id}/").content.decode()
    assert url in case_page  # the reviewer goes from the case page to the review
    assert url not in clients["marco"].get(f"/workspace/cases/{contacts[0].case_id}/").content.decode()
    page = clients["lotte"].get(url)
    assert page.status_code == 200 and contacts[0].case.token in page.content.decode()
    assert clients["marco"].post(url, {f"criterion-{i}": "1" for i in ids}).status_code == 403
    bad = clients["lotte"].post(url, {f"criterion-{ids[0]}": "4"})
    assert bad.status_code == 400 and f"criterion-{ids[1]}" in bad.content.decode()
    done = clients["lotte"].post(
        url,
        {
            f"criterion-{ids[0]}": "4",
            f"criterion-{ids[1]}": "na",
            f"criterion-{ids[2]}": "4",
            f"criterion-{ids[3]}": "1",
            "comment": "Netjes",
        },
    )
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.score, review.comment) == (100.0, "Netjes")
    assert clients["anna"].get(url).status_code == 200
    assert "Netjes" in clients["anna"].get("/quality/mine/").content.decode()


def test_a_calibration_round_shows_alpha_per_criterion_and_flags_the_low_one(setup) -> None:
    _agent, lead, manager, card, contacts = setup
    other = make_user("olga", Role.TEAM_LEAD, None)
    round_ = start_calibration(
        name="Maart", scorecard=card, contacts=contacts, reviewers=[lead, manager, other], by=manager, now=NOW
    )
    assert Review.objects.filter(calibration=round_).count() == 12
    ids = [c.pk for c in card.criteria.all()]
    # criterion 0: everyone agrees on a spread; criterion 2: the reviewers disagree; auto-fail: agree
    given = {
        "lotte": {0: [4, 3, 1, 0], 1: [4, 4, 2, 2], 2: [4, 0, 4, 0], 3: [1, 1, 0, 1]},
        "marco": {0: [4, 3, 1, 0], 1: [4, 3, 2, 2], 2: [0, 4, 0, 4], 3: [1, 1, 0, 1]},
        "olga": {0: [4, 3, 1, 1], 1: [4, 4, 2, 1], 2: [2, 2, 3, 1], 3: [1, 1, 0, 1]},
    }
    for review in Review.objects.filter(calibration=round_).select_related("reviewer"):
        column = [c.pk for c in contacts].index(review.contact_id)
        values = {ids[k]: v[column] for k, v in given[review.reviewer.username].items()}
        score_review(review=review, values=values, by=review.reviewer, now=NOW)
    rows = {row.criterion.label: row for row in calibration.agreement(round_)}
    assert rows["Begrijpt de vraag"].alpha == pytest.approx(0.9382, abs=0.0001)
    assert rows["Begrijpt de vraag"].is_flagged is False
    assert rows["Juist en volledig antwoord"].alpha < 0.667 and rows["Juist en volledig antwoord"].is_flagged
    assert rows["AVG-controle gedaan"].alpha == pytest.approx(1.0)
    client = Client()
    client.force_login(make_user("auditor", Role.VIEWER, None))
    page = client.get(f"/quality/calibration/{round_.pk}/").content.decode()
    assert "0,938" in page
    assert "criterium herschrijven" in page


def test_a_review_comment_is_in_the_customers_export_and_erased_with_them(setup, phone_queue) -> None:
    from contactpunt.contacts.services.privacy import erase_customer, export_customer

    agent, lead, _manager, card, _contacts = setup
    contact = call(phone_queue, NOW - dt.timedelta(hours=9), wait=5, talk=60, agent=agent, caller="0612345678")
    customer = contact.customer
    assert customer is not None
    review = Review.objects.create(scorecard=card, contact=contact, agent=agent, reviewer=lead, assigned_at=NOW)
    ids = [c.pk for c in card.criteria.all()]
    score_review(review=review, values=dict.fromkeys(ids, 1), comment="Klant noemde haar adres", by=lead, now=NOW)
    exported = export_customer(customer=customer, by=lead)
    assert "Klant noemde haar adres" in str(exported)
    erase_customer(customer=customer, by=lead, reason="verzoek")  # the erasure is announced inside its transaction
    assert Review.objects.filter(comment="Klant noemde haar adres").count() == 0
