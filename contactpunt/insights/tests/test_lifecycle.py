"""The reason model's life: seeded cold start, retraining on wrap-ups, versions, activation only when not worse."""

from __future__ import annotations

import pytest

from contactpunt.contacts.models import ContactReason
from contactpunt.insights import analysis, lifecycle
from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.models import MessageInsight, ReasonModelVersion, SeedPhrase
from contactpunt.insights.reasons import reason_model_from_seeds
from contactpunt.insights.tasks import retrain_reason_model
from contactpunt.insights.tests.conftest import REASON_PHRASES
from contactpunt.insights.tests.helpers import receive_texts, wrap

pytestmark = pytest.mark.django_db
ENDINGS = ("", " please", " thanks", " asap")


@pytest.fixture
def reasons() -> dict[str, ContactReason]:
    return {code: ContactReason.objects.create(code=code, name=code.title()) for code in REASON_PHRASES}


def wrap_history(reasons, queue, agent, t0) -> None:
    """Every phrase with four endings, received and wrapped up by the agent with its reason (144 contacts)."""
    for code, phrases in REASON_PHRASES.items():
        texts = [phrase + ending for phrase in phrases for ending in ENDINGS]
        for contact in receive_texts(queue, texts, t0):
            wrap(contact, agent, reasons[code])


@pytest.fixture
def wrapped_history(reasons, email_queue, agent, t0) -> None:
    wrap_history(reasons, email_queue, agent, t0)


def test_without_wrap_ups_or_seeds_there_is_nothing_to_train(reasons):
    result = lifecycle.retrain()
    assert result.version is None and not result.activated
    assert lifecycle.active_reason_model() is None


def test_cold_start_from_seed_phrases_is_activated_and_suggests(reasons, email_queue, t0):
    for code, phrases in REASON_PHRASES.items():
        for phrase in phrases[:4]:
            SeedPhrase.objects.create(reason=reasons[code], text=phrase)
    result = lifecycle.retrain()
    assert result.activated and result.version is not None
    assert result.version.method == "prototype" and result.version.accuracy is None
    contacts = receive_texts(email_queue, ["my parcel still has not been delivered", "what is the weather"], t0)
    analysis.analyse_contacts([c.pk for c in contacts])
    parcel, weather = (MessageInsight.objects.get(contact=c) for c in contacts)
    assert parcel.suggested_reason == reasons["delivery"]
    assert weather.is_outside_known_reasons and weather.reason_is_unsure
    assert not parcel.reason_is_unsure
    # The same seeds give the same model: no second version.
    assert lifecycle.retrain().version == result.version
    assert ReasonModelVersion.objects.count() == 1


def test_retraining_on_wrap_ups_measures_on_held_out_rows_and_replaces_the_seeds(reasons, email_queue, agent, t0):
    SeedPhrase.objects.create(reason=reasons["refund"], text="money back")
    SeedPhrase.objects.create(reason=reasons["password"], text="forgot password")
    seeded = lifecycle.retrain().version
    assert seeded is not None and seeded.method == "prototype"
    wrap_history(reasons, email_queue, agent, t0)

    retrain_reason_model.enqueue()

    trained = ReasonModelVersion.objects.get(is_active=True)
    rows = lifecycle.wrapped_up_rows()
    test_rows = rows.splits.count("test")
    assert trained.method == "logistic"
    assert trained.test_rows == test_rows >= lifecycle.MIN_TEST_ROWS
    # chosen on the validation rows, then trained on them too
    assert trained.training_rows == rows.splits.count("train") + rows.splits.count("valid")
    # Three reasons (chance 1/3); the held-out rows are chosen by message id, which on PostgreSQL depends on what
    # ran before in the same database, so the test split of ~24 rows varies between runs (seen: 0.79 to 0.9).
    assert trained.accuracy is not None and trained.accuracy >= 0.7
    assert trained.macro_f1 is not None and trained.active_macro_f1 is not None
    assert trained.macro_f1 >= trained.active_macro_f1
    # Agents always choose a reason: the model never answers "none of the known reasons", it is unsure instead.
    assert trained.threshold == 0
    model = lifecycle.active_reason_model()
    assert model is not None and 0 < model.unsure_threshold < 1
    texts = ["my parcel still has not been delivered", "what is the weather", "tell me a joke"]
    contacts = receive_texts(email_queue, texts, t0)
    analysis.analyse_contacts([c.pk for c in contacts])
    stored = [MessageInsight.objects.get(contact=c) for c in contacts]
    assert stored[0].suggested_reason is not None and stored[0].suggested_reason.code == "delivery"
    assert all(insight.suggested_reason is not None for insight in stored)
    assert [i.reason_is_unsure for i in stored] == [s.is_unsure for s in model.suggest(texts)]
    assert "vs TF-IDF baseline" in trained.decision
    assert set(trained.reasons) == set(REASON_PHRASES)
    assert not ReasonModelVersion.objects.get(pk=seeded.pk).is_active
    assert lifecycle.active_reason_model() is not None
    assert lifecycle.active_reason_model().version == trained.version


def test_a_worse_candidate_is_stored_but_not_activated(reasons, wrapped_history):
    good = lifecycle.retrain()
    assert good.activated
    # Seeds under the wrong reasons: measured on the same test rows it is far worse.
    swapped = {"delivery": REASON_PHRASES["refund"], "refund": REASON_PHRASES["password"]}
    swapped["password"] = REASON_PHRASES["delivery"]
    rows = lifecycle.wrapped_up_rows()
    test = rows.subset("test")
    result = lifecycle.consider_candidate(reason_model_from_seeds(swapped), "prototype", test, 0.0, 36)
    assert not result.activated
    assert "kept the active model" in result.decision
    assert ReasonModelVersion.objects.get(is_active=True) == good.version
    assert ReasonModelVersion.objects.count() == 2


def test_splits_are_fixed_by_message_id():
    splits = [lifecycle.split_of(n) for n in range(1, 2001)]
    assert splits == [lifecycle.split_of(n) for n in range(1, 2001)]
    assert 0.65 < splits.count("train") / 2000 < 0.75
    assert 0.12 < splits.count("test") / 2000 < 0.18


def test_rows_without_enough_test_rows_fall_back_to_the_seeds(reasons, email_queue, agent, t0):
    contacts = receive_texts(email_queue, REASON_PHRASES["delivery"][:3] + REASON_PHRASES["refund"][:3], t0)
    for contact in contacts:
        wrap(contact, agent, reasons["delivery"])
    assert lifecycle.retrain().version is None
    assert isinstance(lifecycle.wrapped_up_rows(), LabelledRows)
