from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from contactpunt.api.models import Integration


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin[Integration]):
    list_display = ["name", "source", "token_prefix", "is_active", "created_at"]
    readonly_fields = ["token_prefix", "created_at"]
    actions = ["rotate_token"]

    def save_model(self, request: HttpRequest, obj: Integration, form: object, change: bool) -> None:
        if not change:
            token = obj.set_new_token()
            messages.warning(request, f"The token of {obj.name} is {token} — copy it now, it is not shown again.")
        super().save_model(request, obj, form, change)

    @admin.action(description="Give the selected integrations a new token")
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        for integration in queryset:
            token = integration.set_new_token()
            integration.save(update_fields=["token_hash", "token_prefix"])
            messages.warning(request, f"New token of {integration.name}: {token}")
