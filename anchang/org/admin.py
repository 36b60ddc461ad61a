from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from anchang.org import services
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

    # The admin's doors to a password or to disabling go through the same rule as the
    # product's: the user's API tokens are revoked (org.services.user_tokens_revoke_all).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            services.user_set_active(actor=request.user, user=obj, is_active=obj.is_active)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            services.user_tokens_revoke_all(user=user, actor=request.user,
                                            reason="password_reset")  # fmt: skip
        return response


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
