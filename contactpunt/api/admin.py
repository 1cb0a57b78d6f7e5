from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from contactpunt.api.integrations import rotate_token
from contactpunt.api.models import Integration
from contactpunt.audit import services as audit
from contactpunt.people.models import User


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin[Integration]):
    list_display = ["name", "source", "token_prefix", "is_active", "created_at"]
    readonly_fields = ["token_prefix", "created_at"]
    actions = ["rotate_token"]

    def save_model(self, request: HttpRequest, obj: Integration, form: object, change: bool) -> None:
        if not change:
            token = obj.set_new_token()
            message = gettext("The token of %(name)s is %(token)s. Copy it now: it is not shown again.")
            messages.warning(request, message % {"name": obj.name, "token": token})
        super().save_model(request, obj, form, change)
        if not change:
            assert isinstance(request.user, User)
            audit.record(actor=request.user, action="integration.created", obj=obj)

    @admin.action(description=gettext_lazy("Give the selected integrations a new token"))
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        assert isinstance(request.user, User)
        for integration in queryset:
            token = rotate_token(integration=integration, by=request.user)
            message = gettext("New token of %(name)s: %(token)s. Copy it now: it is not shown again.")
            messages.warning(request, message % {"name": integration.name, "token": token})
