"""`contactpunt knowledge import` and `search`: external ids, re-import updates, bad rows named, JSON ranking."""

import json

import pytest
from django.core.management import CommandError, call_command

from contactpunt.knowledge.models import Article, ArticleStatus, Category

HEADER = "article_id,title,body,language,category,audience\n"


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("knowledge", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write(tmp_path, text, name="a.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_import_then_reimport_updates_by_article_id(tmp_path):
    first = write(
        tmp_path,
        HEADER + "kb-1,Wachtwoord herstellen,Klik op Wachtwoord vergeten.,nl,Account,public\n"
        "kb-2,Factuur downloaden,Uw facturen staan in Mijn Omgeving.,nl,Facturen,\n",
    )
    assert json.loads(run("import", first, "--json")) == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    second = write(
        tmp_path,
        HEADER + "kb-1,Wachtwoord herstellen,Klik op 'Wachtwoord vergeten' en volg de e-mail.,nl,Account,public\n"
        "kb-2,Factuur downloaden,Uw facturen staan in Mijn Omgeving.,nl,Facturen,\n",
        "b.csv",
    )
    assert json.loads(run("import", second, "--json")) == {"created": 0, "updated": 1, "unchanged": 1, "errors": []}
    article = Article.objects.get(external_id="kb-1")
    assert (article.version, article.status) == (2, ArticleStatus.PUBLISHED)
    assert article.body.endswith("volg de e-mail.")
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["account", "facturen"]


@pytest.mark.django_db
def test_a_bad_row_is_named_and_the_others_are_imported(tmp_path):
    path = write(tmp_path, HEADER + "kb-1,Titel,Tekst,xx,,\nkb-2,Titel,,nl,,\nkb-3,Goed,Tekst,nl,,\n")
    with pytest.raises(SystemExit):
        run("import", path, "--json")
    assert list(Article.objects.values_list("external_id", flat=True)) == ["kb-3"]


@pytest.mark.django_db
def test_a_missing_column_is_refused_by_name(tmp_path):
    with pytest.raises(CommandError, match="language"):
        run("import", write(tmp_path, "article_id,title,body\nkb-1,a,b\n"))


@pytest.mark.django_db
def test_search_prints_the_ranking_as_json(tmp_path):
    run(
        "import",
        write(
            tmp_path,
            HEADER + "kb-1,Wachtwoord herstellen,Klik op Wachtwoord vergeten en kies een nieuw wachtwoord.,nl,,\n"
            "kb-2,Software installeren,De app is geïnstalleerd als het icoon verschijnt.,nl,,\n"
            "kb-3,Password reset,Click forgot password.,en,,\n",
        ),
    )
    hits = json.loads(run("search", "wachtwoordherstel", "--json"))
    assert [hit["article_id"] for hit in hits] == ["kb-1"]
    assert set(hits[0]) == {"article_id", "title", "score"} and hits[0]["score"] > 0
    assert [h["article_id"] for h in json.loads(run("search", "niet geinstalleerd", "--json", "--language", "nl"))] == [
        "kb-2"
    ]
    assert [h["article_id"] for h in json.loads(run("search", "pasword", "--json", "--language", "en"))] == ["kb-3"]
    assert json.loads(run("search", "hypotheek", "--json")) == []
    with pytest.raises(CommandError, match="--limit"):
        run("search", "x", "--limit", "0")


@pytest.mark.django_db
def test_the_demo_articles_load_once():
    import datetime as dt

    from contactpunt.knowledge.demo import load_demo_articles
    from contactpunt.knowledge.models import Article

    today = dt.date(2026, 3, 2)
    assert load_demo_articles(today) == 14
    assert load_demo_articles(today) == 0
    # Every article has its next review; two are overdue, so the owners' to-do shows on the knowledge list.
    assert not Article.objects.filter(review_by=None).exists()
    assert sum(article.is_overdue(today) for article in Article.objects.all()) == 2
    assert [h["article_id"] for h in json.loads(run("search", "wachtwoord vergeten", "--json", "--limit", "1"))] == [
        "demo-wachtwoord"
    ]


@pytest.mark.django_db
def test_an_imported_article_keeps_its_review_date_and_a_bad_one_names_its_row():
    from contactpunt.knowledge.importing import import_rows
    from contactpunt.knowledge.models import Article

    row = {"article_id": "r1", "title": "Retour", "body": "Zo stuur je iets terug.", "language": "nl"}
    result = import_rows([row | {"review_by": "2026-06-30"}, row | {"article_id": "r2", "review_by": "30-06-2026"}])
    assert str(Article.objects.get(external_id="r1").review_by) == "2026-06-30"
    assert not Article.objects.filter(external_id="r2").exists()
    assert any("row 3" in problem and "review_by" in problem for problem in result.errors)
