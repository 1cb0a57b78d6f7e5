"""Articles: versions with who and what, the status path, permissions, and the search they feed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.knowledge.models import Article, ArticleStatus, ArticleVersion, Audience
from contactpunt.knowledge.search import Scope, search
from contactpunt.knowledge.services import (
    ArticleError,
    ArticleFields,
    create_article,
    set_status,
    update_article,
    version_diff,
)
from contactpunt.people.models import Role

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def publish(by, article) -> Article:
    set_status(by=by, article=article, status=ArticleStatus.REVIEW, at=T0)
    return set_status(by=by, article=article, status=ArticleStatus.PUBLISHED, at=T0)


@pytest.fixture
def lead(team_lead):
    return team_lead


def test_a_change_of_text_is_a_new_version_with_who_and_a_diff(lead):
    article = create_article(by=lead, values=ArticleFields("Wachtwoord herstellen", "Klik op 'vergeten'."), at=T0)
    changed = update_article(
        by=lead, article=article, values=ArticleFields("Wachtwoord herstellen", "Klik op 'Wachtwoord vergeten'."), at=T0
    )
    assert changed.version == 2
    versions = list(ArticleVersion.objects.filter(article=article).values_list("number", "changed_by", "body"))
    assert versions == [(1, lead.pk, "Klik op 'vergeten'."), (2, lead.pk, "Klik op 'Wachtwoord vergeten'.")]
    diff = version_diff(article, 2)
    assert "-Klik op 'vergeten'." in diff and "+Klik op 'Wachtwoord vergeten'." in diff
    assert AuditEntry.objects.filter(action="article.updated", object_id=str(article.pk)).count() == 1
    # Saving the same fields again changes nothing.
    update_article(by=lead, article=changed, values=ArticleFields("Wachtwoord herstellen", changed.body), at=T0)
    assert ArticleVersion.objects.filter(article=article).count() == 2


def test_status_follows_draft_review_published_retired(lead):
    article = create_article(by=lead, values=ArticleFields("Factuur", "Uw factuur staat online."), at=T0)
    with pytest.raises(ArticleError):
        set_status(by=lead, article=article, status=ArticleStatus.PUBLISHED, at=T0)
    article = publish(lead, article)
    assert article.status == ArticleStatus.PUBLISHED and article.published_at == T0
    article = set_status(by=lead, article=article, status=ArticleStatus.RETIRED, at=T0)
    assert article.retired_at == T0
    assert [v.status for v in article.versions.all()] == ["draft", "review", "published", "retired"]


def test_agents_and_viewers_may_not_write_articles(agent, team):
    viewer = make_user("victor", Role.VIEWER, team)
    for user in (agent, viewer):
        with pytest.raises(PermissionDenied):
            create_article(by=user, values=ArticleFields("Titel", "Tekst"))
    assert not Article.objects.exists()


def test_search_finds_only_published_articles_in_scope(lead):
    public = publish(
        lead, create_article(by=lead, values=ArticleFields("Wachtwoord herstellen", "Via de inlogpagina."))
    )
    internal = publish(
        lead,
        create_article(
            by=lead, values=ArticleFields("Wachtwoord resetten voor een klant", "Protocol.", audience=Audience.INTERNAL)
        ),
    )
    retailer = publish(
        lead,
        create_article(
            by=lead,
            values=ArticleFields(
                "Wachtwoord van het dealerportaal",
                "Voor dealers.",
                audience=Audience.ACCOUNT_GROUP,
                account_group="dealers",
            ),
        ),
    )
    create_article(by=lead, values=ArticleFields("Wachtwoord concept", "Nog niet klaar."))

    def found(scope) -> set[int]:
        return {hit.article_id for hit in search("wachtwoordherstel", scope=scope).hits} | {
            hit.article_id for hit in search("wachtwoord", scope=scope).hits
        }

    assert found(Scope()) == {public.pk}
    assert found(Scope(account_group="dealers")) == {public.pk, retailer.pk}
    assert found(Scope(internal=True)) == {public.pk, internal.pk, retailer.pk}
    assert [hit.article_id for hit in search("wachtwoordherstel", scope=Scope()).hits] == [public.pk]
    set_status(by=lead, article=public, status=ArticleStatus.RETIRED)
    assert found(Scope()) == set()
