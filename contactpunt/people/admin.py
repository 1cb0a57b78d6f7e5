from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from contactpunt.people.models import Department, Site, Skill, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Contactpunt", {"fields": ["role", "team", "skills", "language"]}))  # type: ignore[misc]
    filter_horizontal = ["skills", "groups", "user_permissions"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "department", "site", "cost_per_hour"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "cost_per_hour"]


admin.site.register(Site)
admin.site.register(Skill)
