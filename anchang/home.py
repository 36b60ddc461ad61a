"""Each role's home page: a consultant's day, a manager's project overview."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from anchang.audit.selectors import reveal_blocks
from anchang.followups.my_day.selectors import my_day
from anchang.followups.overdue.selectors import team_overview
from anchang.org import policies
from anchang.org.selectors import actor_grants, overseen_projects
from anchang.scheduler.services import last_tick

# The tick runs every minute under `anchang serve`; older than this means it is not running.
TICK_STALE = timedelta(minutes=5)


@login_required
@require_GET
def home(request):
    actor = request.user
    roles = {g.role for g in actor_grants(actor)}
    context = {"roles": roles, "today": timezone.localdate()}
    context["show_my_day"] = policies.can_open_page(actor=actor, page="my_day")
    if context["show_my_day"]:
        context["day"] = my_day(actor)
    managed = overseen_projects(actor)
    if managed:
        context["overview"] = team_overview(actor, managed)
        context["reveal_blocks"] = reveal_blocks(managed, timezone.now() - timedelta(days=1))
    context["show_tick_status"] = policies.can_open_page(actor=actor, page="tick_status")
    if context["show_tick_status"]:
        context["last_tick"] = last_tick()
        context["tick_stale_after"] = timezone.now() - TICK_STALE
    return render(request, "home.html", context)
