"""My day's page fragment; the agenda itself is drawn by the home page (anchang/home.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from anchang.followups.my_day import selectors


@login_required
@require_GET
def my_day_reminders(request):
    """The lower half of My day, which the home page fetches once the agenda is drawn
    (htmx); without JavaScript it is a page of its own."""
    context = {"d": selectors.my_day_reminders(request.user)}
    if request.htmx:
        return render(request, "followups/_my_day_reminders.html", context)
    return render(request, "followups/my_day_reminders.html", context)
