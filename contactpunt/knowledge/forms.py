"""The staff's article form: it parses and validates; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import ContactReason
from contactpunt.knowledge.models import Article, ArticleKind, ArticleLanguage, Audience, Category
from contactpunt.knowledge.services import ArticleFields
from contactpunt.people.models import Role, User


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 12}))
    language = forms.ChoiceField(label=_("Language"), choices=ArticleLanguage.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    account_group = forms.CharField(label=_("Account group"), max_length=80, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True, role__in=[Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN]),
        required=False,
    )
    review_by = forms.DateField(label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    translation_of = forms.ModelChoiceField(label=_("Translation of"), queryset=Article.objects.all(), required=False)
    reasons = forms.ModelMultipleChoiceField(
        label=_("Contact reasons it answers"),
        queryset=ContactReason.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("A growing contact reason that no article answers is flagged to the knowledge owners."),
    )
    note = forms.CharField(label=_("What changed (for the version history)"), max_length=300, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("audience") == Audience.ACCOUNT_GROUP and not data.get("account_group"):
            self.add_error("account_group", _("Name the account group this article is for."))
        return data

    def values(self) -> ArticleFields:
        data = self.cleaned_data
        return ArticleFields(
            title=data["title"],
            body=data["body"],
            language=data["language"],
            kind=data["kind"],
            category=data["category"],
            audience=data["audience"],
            account_group=data["account_group"] if data["audience"] == Audience.ACCOUNT_GROUP else "",
            video_url=data["video_url"],
            owner=data["owner"],
            review_by=data["review_by"],
            translation_of=data["translation_of"],
        )

    @classmethod
    def of(cls, article: Article) -> ArticleForm:
        return cls(
            initial={
                "title": article.title,
                "body": article.body,
                "language": article.language,
                "kind": article.kind,
                "category": article.category_id,
                "audience": article.audience,
                "account_group": article.account_group,
                "video_url": article.video_url,
                "owner": article.owner_id,
                "review_by": article.review_by,
                "translation_of": article.translation_of_id,
                "reasons": list(article.reasons.values_list("pk", flat=True)),
            }
        )


class GroupPortalForm(forms.Form):
    account_group = forms.CharField(
        label=_("Account group"),
        max_length=80,
        help_text=_("The same name as on the articles for this group."),
    )
    name = forms.CharField(label=_("Name shown to the group"), max_length=120)


class ReviewedForm(forms.Form):
    review_by = forms.DateField(label=_("Next review on"), widget=forms.DateInput(attrs={"type": "date"}))
