"""No outdated answers: a template quoting an article is blocked from sending once the article changes or is
retired, until reviewed; the block is enforced by the reply service."""

import datetime as dt

import pytest
from django.utils import translation

from contactpunt.contacts.models import ResponseTemplate
from contactpunt.contacts.services import replies
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.knowledge.models import ArticleStatus
from contactpunt.knowledge.quotes import QuoteError, block_reason, flagged_quotes, quote_article, review_quote
from contactpunt.knowledge.services import ArticleFields, create_article, set_status, update_article

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def setup(team_lead, email_queue):
    article = create_article(
        by=team_lead, values=ArticleFields("Welkomstcadeau", "Nieuwe inwoners krijgen een cadeaubon."), at=T0
    )
    set_status(by=team_lead, article=article, status=ArticleStatus.REVIEW, at=T0)
    article = set_status(by=team_lead, article=article, status=ArticleStatus.PUBLISHED, at=T0)
    template = ResponseTemplate.objects.create(name="Welkom", text="Welkom! U krijgt een cadeaubon.")
    quote = quote_article(by=team_lead, template=template, article=article)
    case = mail(email_queue, T0, "w1", sender="inwoner@example.nl", name="Ilse Inwoner", subject="Welkom")
    return article, template, quote, case


def test_a_template_quoting_a_retired_article_cannot_be_sent(setup, team_lead, agent):
    article, template, quote, case = setup
    assert block_reason(template) is None
    set_status(by=team_lead, article=article, status=ArticleStatus.RETIRED, at=T0)
    with translation.override("nl"):
        assert block_reason(template) == "het citeert het artikel “Welkomstcadeau”, dat is ingetrokken"
    with pytest.raises(replies.ReplyError, match="Welkom"):
        replies.reply(case=case, by=agent, body=template.text, templates=[template])
    assert not case.messages.filter(direction="outbound").exists()
    with pytest.raises(QuoteError):
        review_quote(by=team_lead, quote=quote)
    assert [q.pk for q in flagged_quotes()] == [quote.pk]


def test_a_changed_article_blocks_until_the_template_is_reviewed(setup, team_lead):
    article, template, quote, _case = setup
    update_article(
        by=team_lead, article=article, values=ArticleFields("Welkomstcadeau", "Het welkomstcadeau is gestopt."), at=T0
    )
    with translation.override("en"):
        reason = block_reason(template)
    assert reason == "the article “Welkomstcadeau” it quotes changed (version 3 → 4)"
    review_quote(by=team_lead, quote=quote, at=T0)
    assert block_reason(template) is None
    assert flagged_quotes() == []


def test_status_steps_without_a_new_text_do_not_block_a_draft_quote(setup, team_lead):
    _article, template, _quote, _case = setup
    other = create_article(by=team_lead, values=ArticleFields("Ander artikel", "Tekst."), at=T0)
    set_status(by=team_lead, article=other, status=ArticleStatus.REVIEW, at=T0)
    assert block_reason(template) is None


def test_the_workspace_refuses_a_reply_made_from_a_blocked_template(setup, team_lead, agent, client):
    article, template, _quote, case = setup
    set_status(by=team_lead, article=article, status=ArticleStatus.RETIRED, at=T0)
    client.force_login(agent)
    response = client.post(
        f"/workspace/cases/{case.pk}/reply/", {"body": template.text, "templates": str(template.pk)}, follow=True
    )
    assert "Welkomstcadeau" in response.content.decode()
    assert not case.messages.filter(direction="outbound").exists()
    picker = client.get(f"/workspace/cases/{case.pk}/templates/", {"q": "Welkom"}).content.decode()
    assert f'data-template="{template.pk}"' in picker and "Welkomstcadeau" in picker


def test_a_reply_from_a_quoting_template_records_the_version_it_sent(
    setup, team_lead, agent, client, django_capture_on_commit_callbacks
):
    from contactpunt.knowledge.models import QuoteSent

    article, template, quote, case = setup
    with django_capture_on_commit_callbacks(execute=True):
        done = replies.reply(case=case, by=agent, body=template.text, templates=[template])
    [sent] = QuoteSent.objects.all()
    assert (sent.message_id, sent.article_id, sent.version, sent.template_id) == (
        done.message.pk,
        article.pk,
        quote.version,
        template.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        replies.reply(case=case, by=agent, body="Zonder sjabloon.")  # no template: nothing recorded
    assert QuoteSent.objects.count() == 1
    client.force_login(team_lead)
    with translation.override("nl"):
        page = client.get(f"/knowledge/articles/{article.pk}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f"Versie {quote.version}: in 1 antwoord" in page


def test_an_article_inserted_into_a_reply_links_the_reply_to_that_version(setup, team_lead, agent, client, email_queue):
    from contactpunt.contacts.models import Message
    from contactpunt.knowledge.models import QuoteSent

    article, _template, _quote, _case = setup
    case = mail(email_queue, T0, "w2", sender="nieuw@example.nl", name="Nina Nieuw", subject="Welkomstcadeau cadeaubon")
    internal = create_article(
        by=team_lead,
        values=ArticleFields("Intern: cadeaubonnen", "Alleen op verzoek.", audience="internal"),
        status=ArticleStatus.PUBLISHED,
        at=T0,
    )
    client.force_login(agent)
    panel = client.get(f"/knowledge/cases/{case.pk}/suggestions/").content.decode()
    assert f'data-article="{article.pk}:{article.version}"' in panel
    # The internal article, and an article that does not exist are not recorded; the reply goes out.
    used = f"{article.pk}:{article.version},{internal.pk}:1,{article.pk + 1000}:1"
    response = client.post(f"/workspace/cases/{case.pk}/reply/", {"body": article.body, "articles": used})
    assert response.status_code == 303
    reply = Message.objects.get(case=case, direction="outbound")
    sent = QuoteSent.objects.get()
    assert (sent.message_id, sent.article_id, sent.version, sent.template_id) == (
        reply.pk,
        article.pk,
        article.version,
        None,
    )
    refused = client.post(f"/workspace/cases/{case.pk}/reply/", {"body": "Nog iets", "articles": "1:x"})
    assert refused.status_code == 303 and QuoteSent.objects.count() == 1
    assert Message.objects.filter(case=case, direction="outbound").count() == 1  # a bad form sends nothing
    client.force_login(team_lead)
    page = client.get(f"/knowledge/articles/{article.pk}/")
    assert page.context["sent"] == [{"version": article.version, "replies": 1}]


def test_a_team_lead_binds_a_template_to_an_article_on_its_page_and_an_agent_may_not(setup, team_lead, agent, client):
    from contactpunt.knowledge.models import TemplateQuote

    article, _template, _quote, case = setup
    letter = ResponseTemplate.objects.create(name="Welkomstbrief", text="Welkom in onze gemeente! Uw cadeaubon volgt.")
    client.force_login(agent)
    assert client.post(f"/knowledge/articles/{article.pk}/quote/", {"template": letter.pk}).status_code == 403
    assert not TemplateQuote.objects.filter(template=letter).exists()
    client.force_login(team_lead)
    page = client.get(f"/knowledge/articles/{article.pk}/")
    assert [t.pk for t in page.context["quotable"]] == [letter.pk]  # the one already quoting is not offered
    response = client.post(f"/knowledge/articles/{article.pk}/quote/", {"template": letter.pk})
    assert response.status_code == 303
    bound = TemplateQuote.objects.get(template=letter)
    assert (bound.article, bound.version, bound.quoted_by) == (article, article.version, team_lead)
    assert client.post(f"/knowledge/articles/{article.pk}/quote/", {"template": "x"}).status_code == 303
    assert TemplateQuote.objects.count() == 2
    # The article changes: the letter is blocked from sending until reviewed.
    update_article(by=team_lead, article=article, values=ArticleFields("Welkomstcadeau", "Er is geen cadeaubon meer."))
    assert block_reason(letter) is not None
    with pytest.raises(replies.ReplyError, match="Welkomstbrief"):
        replies.reply(case=case, by=agent, body=letter.text, templates=[letter])
