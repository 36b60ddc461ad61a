from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from anchang.org.models import Company, Membership, Project, Region, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["project", "region", "team"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((None, {"fields": ("name",)}),)
    list_display = ("username", "name", "is_active", "last_login")
    search_fields = ("username", "name")
    inlines = [MembershipInline]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "company")
    search_fields = ("name",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "region", "is_active")
    list_filter = ("kind", "region", "is_active")
    search_fields = ("name", "code")
    # Rules are edited on the project-rules page, which validates them.
    exclude = ("rules_overrides", "rules_version")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "project")
    search_fields = ("name",)
