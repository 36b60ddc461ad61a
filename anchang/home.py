"""Each role's home page: a consultant's day, a manager's project overview."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from anchang import permissions
from anchang.audit.selectors import reveal_blocks
from anchang.customers.selectors import customers_for
from anchang.dates import start_of_today
from anchang.followups.my_day.selectors import my_day
from anchang.followups.selectors import ACTIVE_STATES
from anchang.org import policies
from anchang.org.selectors import actor_grants, projects_where
from anchang.scheduler.services import last_tick

# The tick runs every minute under `anchang serve`; older than this means it is not running.
TICK_STALE = timedelta(minutes=5)


@login_required
@require_GET
def home(request):
    actor = request.user
    roles = {g.role for g in actor_grants(actor)}
    context = {"roles": roles, "today": timezone.localdate()}
    today = start_of_today()
    context["show_my_day"] = policies.can_open_page(actor=actor, page="my_day")
    if context["show_my_day"]:
        context["day"] = my_day(actor)
    managed = list(projects_where(actor, set(permissions.page_roles("team_overview"))))
    if managed:
        per_project = {
            row["project_id"]: row
            for row in customers_for(actor, "list")
            .filter(project__in=managed)
            .values("project_id")
            .annotate(
                # COUNT(project_id), not id: PostgreSQL then counts from an index alone
                total=Count("project"),
                new_today=Count("project", filter=Q(created_at__gte=today)),
                unowned=Count("project", filter=Q(owner__isnull=True)),
            )
        }
        local_today = timezone.localdate()
        active = Q(state__in=ACTIVE_STATES)
        by_owner = (
            customers_for(actor, "list")
            .filter(project__in=managed, owner__isnull=False)
            .values("project_id", "owner_id", "owner__name", "owner__username")
            .annotate(
                total=Count("owner"),
                new_today=Count("owner", filter=Q(created_at__gte=today)),
                # the team's overdue board: whose follow-ups are late, at a glance (from the
                # customer_day index alone)
                overdue=Count("owner", filter=active & Q(next_follow_up_on__lt=local_today)),
                due_today=Count("owner", filter=active & Q(next_follow_up_on=local_today)),
            )
            .order_by("project_id", "-overdue", "-total")
        )
        owners_by_project: dict[int, list] = {}
        for row in by_owner:
            owners_by_project.setdefault(row["project_id"], []).append(row)
        context["overview"] = [
            {
                "project": project,
                "figures": per_project.get(project.pk, {"total": 0, "new_today": 0, "unowned": 0}),
                "owners": owners_by_project.get(project.pk, []),
            }
            for project in managed
        ]
        context["reveal_blocks"] = reveal_blocks(managed, timezone.now() - timedelta(days=1))
    context["show_tick_status"] = policies.can_open_page(actor=actor, page="tick_status")
    if context["show_tick_status"]:
        context["last_tick"] = last_tick()
        context["tick_stale_after"] = timezone.now() - TICK_STALE
    return render(request, "home.html", context)
