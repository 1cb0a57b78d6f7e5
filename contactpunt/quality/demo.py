"""The demo's people data, written in bulk on first start (well under a second on the demo's 62 agents): four
weeks of check-ins (the first team with a yellow run), the scorecard, two weeks of reviewed samples, a calibration
round with one criterion the reviewers read differently, suggestions (one in trial) and a coaching note and goal.
The team meetings follow the shift plan (`workforce.demo`)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from contactpunt.contacts.models import Contact
from contactpunt.people import checkins
from contactpunt.people.checkins import recent_weeks
from contactpunt.people.models import CheckIn, Mood, Role, Team, User
from contactpunt.quality.coaching import add_goal, add_note
from contactpunt.quality.models import Criterion, Review, Score, Scorecard, Suggestion, SuggestionStatus
from contactpunt.quality.sampling import draw_week_sample
from contactpunt.quality.services import CriterionSpec, create_scorecard, start_calibration, weighted_score

CALIBRATION_SEED = 3
CRITERIA = [
    CriterionSpec("Begrijpt de vraag van de klant", weight=2),
    CriterionSpec("Duidelijk wat er nu gaat gebeuren", weight=2),
    CriterionSpec("Juist en volledig antwoord", weight=3),
    CriterionSpec("Vriendelijk", weight=1),
    CriterionSpec("Past bij de merktoon", weight=1),
    CriterionSpec("Identiteit gecontroleerd (AVG)", is_auto_fail=True),
]
NOTES = {
    Mood.YELLOW: ["Veel boze bellers deze week", "Druk met de piek", "Weinig pauze gehad"],
    Mood.RED: ["Het wordt me te veel", "Thuis gaat het niet goed"],
    Mood.GREEN: ["", "", "Fijn team!"],
}


def check_ins(rng: random.Random, now: dt.datetime) -> int:
    """Four weeks of moods for every agent; half the first team yellow or red the last two weeks."""
    weeks = recent_weeks(now, 5)[:-1]  # the last four finished weeks: this week is still to answer
    agents = list(User.objects.filter(role=Role.AGENT).order_by("pk"))
    first_team = Team.objects.order_by("name").values_list("pk", flat=True).first()
    rows = []
    for n, agent in enumerate(agents):
        for k, week in enumerate(weeks):
            mood = rng.choices([Mood.GREEN, Mood.YELLOW, Mood.RED], weights=[78, 18, 4])[0]
            if agent.team_id == first_team and n % 2 == 0 and k >= len(weeks) - 2:
                mood = Mood.YELLOW if k == len(weeks) - 1 or n % 4 else Mood.RED
            rows.append(CheckIn(user=agent, week=week, mood=mood, note=rng.choice(NOTES[mood]), team_id=agent.team_id))
    return checkins.record_history(rows)


def _score_in_bulk(reviews: list[Review], criteria: list[Criterion], rng: random.Random, now: dt.datetime,
                   noisy: int | None = None) -> None:  # fmt: skip
    scores, updated = [], []
    for review in reviews:
        base = rng.choice([2, 3, 3, 4])
        values: dict[int, int | None] = {}
        for c in criteria:
            if c.is_auto_fail:
                values[c.pk] = 0 if rng.random() < 0.03 else 1
            elif noisy is not None and c.pk == noisy:
                values[c.pk] = rng.randint(0, 4)
            else:
                values[c.pk] = max(0, min(4, base + rng.choice([-1, 0, 0, 0, 1])))
        review.score, review.is_failed = weighted_score(criteria, values)
        review.done_at = now
        updated.append(review)
        scores += [Score(review=review, criterion_id=pk, value=v) for pk, v in values.items()]
    Review.objects.bulk_update(updated, ["score", "is_failed", "done_at"])
    Score.objects.bulk_create(scores)


def reviews(rng: random.Random, now: dt.datetime) -> Scorecard:
    """The scorecard, the samples of the last two finished weeks (most of them reviewed) and a calibration round."""
    card = create_scorecard(name="Kwaliteit klantcontact", criteria=CRITERIA)
    criteria = list(card.criteria.all())
    for week in recent_weeks(now, 3)[:-1]:
        draw_week_sample(week=week, scorecard=card, size=3, now=now)
    sample = list(Review.objects.filter(calibration__isnull=True).order_by("pk"))
    _score_in_bulk([r for r in sample if rng.random() < 0.8], criteria, rng, now)
    reviewers = list(User.objects.filter(role__in=[Role.TEAM_LEAD, Role.MANAGER]).order_by("pk")[:4])
    contacts = list(Contact.objects.filter(pk__in=[r.contact_id for r in sample[:6]]))
    if len(reviewers) >= 2 and len(contacts) >= 2:
        round_ = start_calibration(name="Kalibratie week " + str(recent_weeks(now, 2)[0].isocalendar().week),
                                   scorecard=card, contacts=contacts, reviewers=reviewers,
                                   by=reviewers[0], now=now)  # fmt: skip
        noisy = next(c.pk for c in criteria if c.label == "Past bij de merktoon")
        again = random.Random(CALIBRATION_SEED)  # noqa: S311 - demo data
        _score_in_bulk(list(round_.reviews.all()), criteria, again, now, noisy=noisy)
    return card


def suggestions(now: dt.datetime) -> None:
    teams = list(Team.objects.order_by("name")[:2])
    agents = list(User.objects.filter(role=Role.AGENT).order_by("pk")[:3])
    lead = User.objects.filter(role=Role.TEAM_LEAD).order_by("pk").first()
    if not teams or len(agents) < 3:
        return
    today = now.date()
    Suggestion.objects.bulk_create([
        Suggestion(author=agents[0], team=teams[0], title="Terugbellen aanbieden bij meer dan 5 minuten wachten",
                   text="Klanten haken af in de piek; een terugbelverzoek scheelt boze gesprekken.",
                   status=SuggestionStatus.TRIAL, created_at=now - dt.timedelta(days=12),
                   status_changed_at=now - dt.timedelta(days=8), trial_team=teams[0],
                   trial_start=today - dt.timedelta(days=7), trial_end=today + dt.timedelta(days=7),
                   metric="service_level"),
        Suggestion(author=agents[1], team=agents[1].team, title="Standaardantwoord over retourlabels herschrijven",
                   status=SuggestionStatus.NEW, created_at=now - dt.timedelta(days=16)),
        Suggestion(author=agents[2], team=agents[2].team, title="Chat openen op zaterdag",
                   status=SuggestionStatus.ADOPTED, created_at=now - dt.timedelta(days=40),
                   status_changed_at=now - dt.timedelta(days=10), trial_team=teams[-1],
                   trial_start=today - dt.timedelta(days=35), trial_end=today - dt.timedelta(days=14),
                   metric="fcr", reason="Minder e-mail op maandag; ingevoerd voor alle teams."),
    ])  # fmt: skip
    if lead is not None and agents[0].team_id == lead.team_id:
        add_note(agent=agents[0], text="Samen drie gesprekken teruggeluisterd; sterk in uitleg.", by=lead, now=now)
        add_goal(agent=agents[0], title="Duidelijk zeggen wat er nu gaat gebeuren", target_score=85,
                 due=today + dt.timedelta(days=28), by=lead, now=now)  # fmt: skip


def create_people_demo(*, seed: int, now: dt.datetime) -> None:
    """Write the demo's check-ins, reviews, calibration round, suggestions and coaching in one transaction."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    with transaction.atomic():
        check_ins(rng, now)
        reviews(rng, now)
        suggestions(now)
