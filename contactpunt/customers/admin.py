from django.contrib import admin

from contactpunt.customers.models import Account, Identity, ProductType


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ["name", "external_ref", "product_type"]
    search_fields = ["name", "external_ref"]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin[Identity]):
    """Mark switchboard numbers and shared mailboxes as shared so they never link a customer."""

    list_display = ["kind", "value", "namespace", "customer", "is_shared"]
    list_filter = ["kind", "is_shared"]
    search_fields = ["value"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]


admin.site.register(ProductType)
