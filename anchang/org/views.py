"""Account pages (log-in, password, API tokens) and project rules for admins."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.errors import DomainError
from anchang.forms_errors import add_domain_error, submit_form
from anchang.org import policies, selectors, services
from anchang.org.forms import LoginForm, ProjectRulesForm, TokenCreateForm
from anchang.org.models import ApiToken
from anchang.redirects import is_safe_next


class _SafeNextMixin:
    """Django's log-in and log-out check `next` themselves; ours is the product's one rule
    (site-relative paths only), so every door follows the same one."""

    def get_redirect_url(self):
        url = self.request.POST.get(self.redirect_field_name) or self.request.GET.get(
            self.redirect_field_name
        )
        return url if is_safe_next(self.request, url) else ""


class LoginView(_SafeNextMixin, auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(_SafeNextMixin, auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=AuditEntry.Action.PASSWORD_CHANGED, actor=self.request.user)
        services.user_tokens_revoke_all(
            user=self.request.user,
            actor=self.request.user,
            reason="password_changed",
        )
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenCreateForm(request.POST if request.method == "POST" else None)
    created_secret = None
    status = 200
    if request.method == "POST":
        submitted = submit_form(request, form, lambda data: services.token_create(
            actor=request.user, name=data["name"]
        ))  # fmt: skip
        status = submitted.status
        if submitted.result is not None:  # the secret is shown this once; the form is cleared
            _instance, created_secret = submitted.result
            form = TokenCreateForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    context = {"form": form, "tokens": tokens, "created_secret": created_secret}
    return render(request, "org/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request, token_key: str):
    try:
        services.token_revoke(actor=request.user, token_key=token_key)
    except DomainError:
        messages.error(request, _("That token does not exist or was already revoked."))
    else:
        messages.success(
            request, _("The token was revoked. Programs using it can no longer sign in.")
        )
    return redirect("org:tokens")


STAFF_TOKENS_PAGE = 100


@login_required
@require_GET
def staff_tokens(request):
    """Administrators: every staff member's API tokens in their companies, to revoke one
    (a lost phone, a script nobody owns any more). `?user=` narrows to one username."""
    if not policies.can_open_page(actor=request.user, page="staff_tokens"):
        raise PermissionDenied
    tokens = selectors.staff_tokens_visible(request.user)
    # A NUL is never in a username, and PostgreSQL refuses it in a query (a 500).
    who = " ".join(request.GET.get("user", "").replace("\x00", "").split())[:150]
    if who:
        tokens = tokens.filter(user__username=who)
    rows = list(tokens.order_by("-created", "pk")[: STAFF_TOKENS_PAGE + 1])
    context = {
        "tokens": rows[:STAFF_TOKENS_PAGE],
        "more": len(rows) > STAFF_TOKENS_PAGE,
        "who": who,
    }
    return render(request, "org/staff_tokens.html", context)


@login_required
@require_POST
def staff_token_revoke(request, token_key: str):
    if not policies.can_open_page(actor=request.user, page="staff_tokens"):
        raise PermissionDenied
    try:
        token = services.staff_token_revoke(actor=request.user, token_key=token_key)
    except DomainError:
        messages.error(request, _("That token does not exist or was already revoked."))
    else:
        messages.success(
            request,
            _("The token %(name)s of %(user)s was revoked.")
            % {"name": token.name, "user": token.user},
        )
    return redirect("org:staff-tokens")


@login_required
@require_GET
def project_list(request):
    if not policies.can_open_page(actor=request.user, page="project_settings"):
        raise PermissionDenied
    projects = selectors.visible_projects(request.user).order_by("region__name", "name")
    return render(request, "org/project_list.html", {"projects": projects})


@login_required
@require_http_methods(["GET", "POST"])
def project_rules_edit(request, pk: int):
    if not policies.can_open_page(actor=request.user, page="project_settings"):
        raise PermissionDenied
    project = get_object_or_404(selectors.visible_projects(request.user), pk=pk)
    rules = selectors.project_rules(project)
    form = ProjectRulesForm(
        request.POST if request.method == "POST" else None,
        rules=rules,
        trade=project.kind,
        initial={"version": project.rules_version},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.project_rules_update(
                    actor=request.user,
                    project=project,
                    values=form.rule_values(),
                    version=form.cleaned_data["version"],
                )
            except DomainError as error:
                for field, message in error.fields.items():
                    form.place_error(field, str(message))
                if not error.fields:
                    add_domain_error(form, error)
                status = 409 if error.status == 409 else 400
            else:
                messages.success(request, _("The rules of %(p)s were saved.") % {"p": project})
                return redirect("org:project-rules", pk=project.pk)
        else:
            status = 400
    context = {"project": project, "form": form}
    return render(request, "org/project_rules.html", context, status=status)
