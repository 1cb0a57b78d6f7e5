"""The knowledge owner's to-do: the periodic job flags their articles past the review date and the growing contact
reasons no article for customers answers (to the owner of the article search finds for the reason, else to every
knowledge owner); each item leaves the list as soon as it is handled, and the workspace bar counts them."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.knowledge import services, tasks, todo
from contactpunt.knowledge.models import Article, ArticleStatus, OwnerTask, TaskKind
from contactpunt.knowledge.services import ArticleFields
from contactpunt.knowledge.tests.test_coverage import DAY, world  # noqa: F401 (a fixture)
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime.combine(DAY, dt.time(14)))


@pytest.fixture
def owners(world):  # noqa: F811 (the fixture imported above)
    reasons, articles, lead, agent = world
    mira = make_user("mira", Role.MANAGER, lead.team)

    def article(title: str, owner: User, review_by: dt.date, status: str = ArticleStatus.PUBLISHED) -> Article:
        values = ArticleFields(title=title, body=f"{title}.", owner=owner, review_by=review_by)
        return services.create_article(by=lead, values=values, status=status)

    overdue = article("Retour sturen", lead, DAY - dt.timedelta(days=3))
    article("Openingstijden", mira, DAY + dt.timedelta(days=30))
    # A draft past its date is not due: only published text reaches customers.
    article("Oud concept", mira, DAY - dt.timedelta(days=30), ArticleStatus.DRAFT)
    return reasons, articles, lead, agent, mira, overdue


def open_items(user: User) -> list[tuple[str, str]]:
    return sorted(
        (task.kind, task.article.title if task.kind == TaskKind.REVIEW else task.reason.code)
        for task in todo.open_tasks(user, DAY).select_related("article", "reason")
    )


def test_the_job_flags_reviews_to_their_owner_and_reasons_to_the_owner_of_the_nearest_article(owners):
    reasons, articles, lead, agent, mira, _overdue = owners
    assert todo.refresh(today=DAY, now=NOW) == todo.Refreshed(flagged=4, done=0)
    # "Bezorging" is found by the lead's article "Bezorging van uw kaart": theirs. "Wachtwoord" finds no article for
    # customers (the internal one and the draft do not count): every knowledge owner.
    assert open_items(lead) == [("reason", "delivery"), ("reason", "password"), ("review", "Retour sturen")]
    assert open_items(mira) == [("reason", "password")]
    assert open_items(agent) == []
    delivery = OwnerTask.objects.get(owner=lead, reason=reasons["delivery"])
    assert (delivery.count, delivery.previous, delivery.article) == (7, 1, articles["delivery"])
    # Run again: nothing new, nothing done.
    assert todo.refresh(today=DAY, now=NOW) == todo.Refreshed(flagged=0, done=0)
    assert OwnerTask.objects.count() == 4


def test_the_periodic_job_is_registered_and_runs(owners):
    from contactpunt.ops import periodic

    assert tasks.flag_owner_tasks.module_path in {schedule.name for schedule in periodic.schedules()}
    with time_machine.travel(NOW, tick=False):
        assert tasks.flag_owner_tasks.call() == 4


def test_a_reviewed_article_leaves_the_list_at_once(owners):
    _reasons, _articles, lead, agent, _mira, overdue = owners
    todo.refresh(today=DAY, now=NOW)
    client = Client()
    client.force_login(lead)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/knowledge/todo/")
        assert [task.article for task in page.context["reviews"]] == [overdue]
        assert "Retour sturen" in page.content.decode()
        # An agent may not mark it reviewed; a date in the past is refused; nothing changes.
        outsider = Client()
        outsider.force_login(agent)
        assert (
            outsider.post(f"/knowledge/articles/{overdue.pk}/reviewed/", {"review_by": "2026-09-01"}).status_code == 403
        )
        client.post(f"/knowledge/articles/{overdue.pk}/reviewed/", {"review_by": "2026-03-01", "next": "todo"})
        overdue.refresh_from_db()
        assert overdue.review_by == DAY - dt.timedelta(days=3)
        assert ("review", "Retour sturen") in open_items(lead)
        response = client.post(
            f"/knowledge/articles/{overdue.pk}/reviewed/", {"review_by": "2026-09-01", "next": "todo"}
        )
        assert response.status_code == 303 and response["Location"] == "/knowledge/todo/"
    overdue.refresh_from_db()
    assert overdue.review_by == dt.date(2026, 9, 1)
    assert overdue.version == 1  # the text did not change: no new version, no quoting template flagged
    assert ("review", "Retour sturen") not in open_items(lead)
    assert OwnerTask.objects.get(kind=TaskKind.REVIEW).done_at is not None
    assert AuditEntry.objects.filter(action="article.reviewed").count() == 1
    assert todo.refresh(today=DAY, now=NOW).flagged == 0


def test_an_article_naming_the_reason_clears_it_before_the_next_run_and_the_run_marks_it_done(owners):
    reasons, articles, lead, _agent, mira, _overdue = owners
    todo.refresh(today=DAY, now=NOW)
    # A draft naming the reason does not handle it; publishing an article for customers that names it does.
    draft = services.create_article(by=mira, values=ArticleFields(title="Wachtwoord kwijt", body="Klik op vergeten."))
    services.set_reasons(by=mira, article=draft, reasons=[reasons["password"]])
    services.set_status(by=mira, article=draft, status=ArticleStatus.REVIEW)
    assert ("reason", "password") in open_items(mira)
    services.set_status(by=mira, article=draft, status=ArticleStatus.PUBLISHED)
    assert open_items(mira) == []
    assert ("reason", "password") not in open_items(lead)
    services.set_reasons(by=lead, article=articles["delivery"], reasons=[reasons["delivery"]])
    assert open_items(lead) == [("review", "Retour sturen")]
    assert todo.refresh(today=DAY, now=NOW) == todo.Refreshed(flagged=0, done=3)
    assert OwnerTask.objects.filter(done_at__isnull=True).count() == 1


def test_a_retired_or_reassigned_article_is_no_longer_its_old_owners_task(owners):
    _reasons, _articles, lead, _agent, mira, overdue = owners
    todo.refresh(today=DAY, now=NOW)
    values = ArticleFields(title=overdue.title, body=overdue.body, owner=mira, review_by=overdue.review_by)
    services.update_article(by=lead, article=overdue, values=values)
    assert ("review", "Retour sturen") not in open_items(lead)
    assert todo.refresh(today=DAY, now=NOW) == todo.Refreshed(flagged=1, done=1)
    assert ("review", "Retour sturen") in open_items(mira)
    services.set_status(by=mira, article=Article.objects.get(pk=overdue.pk), status=ArticleStatus.RETIRED)
    assert ("review", "Retour sturen") not in open_items(mira)


def test_the_workspace_bar_and_the_knowledge_pages_count_the_owners_tasks(owners):
    reasons, _articles, lead, agent, _mira, _overdue = owners
    todo.refresh(today=DAY, now=NOW)
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(lead)
        inbox = client.get("/workspace/").content.decode()
        assert 'id="knowledge-tasks"' in inbox and '<span class="badge">3</span>' in inbox
        assert "/knowledge/todo/" in client.get("/knowledge/").content.decode()
        todo_page = client.get("/knowledge/todo/")
        assert [task.reason.code for task in todo_page.context["reasons"]] == ["delivery", "password"]
        assert f"/knowledge/new/?reason={reasons['password'].pk}" in todo_page.content.decode()
        form = client.get("/knowledge/new/", {"reason": str(reasons["password"].pk)}).context["form"]
        assert form.initial == {"reasons": [reasons["password"].pk]}
        outsider = Client()
        outsider.force_login(agent)
        assert 'id="knowledge-tasks"' not in outsider.get("/workspace/").content.decode()
        assert outsider.get("/knowledge/todo/").status_code == 403


def test_with_the_setting_on_each_owner_is_mailed_what_was_newly_flagged_once(owners, settings):
    from contactpunt.channels.models import OutboundMessage

    settings.KNOWLEDGE_TASK_EMAIL = True
    settings.LANGUAGE_CODE = "nl"
    settings.PUBLIC_URL = "https://contactpunt.example"
    _reasons, _articles, lead, _agent, mira, _overdue = owners
    lead.email = "lotte@example.nl"
    lead.save(update_fields=["email"])  # mira has no address: not mailed
    todo.refresh(today=DAY, now=NOW)
    mail = OutboundMessage.objects.get()
    assert (mail.to, mail.subject, mail.contact_id) == ("lotte@example.nl", "Kennisbank: 3 nieuwe taken", None)
    assert "Retour sturen" in mail.body and "Bezorging (7 contacten deze week)" in mail.body
    assert mail.body.endswith("Je kennistaken: https://contactpunt.example/knowledge/todo/")
    todo.refresh(today=DAY, now=NOW)  # nothing new: no new mail
    assert OutboundMessage.objects.count() == 1
    settings.KNOWLEDGE_TASK_EMAIL = False
    OwnerTask.objects.all().delete()
    todo.refresh(today=DAY, now=NOW)
    assert OutboundMessage.objects.count() == 1
    assert mira.email == ""
