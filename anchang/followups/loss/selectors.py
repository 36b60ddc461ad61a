"""Reads of loss applications (战败)."""

from django.db.models import QuerySet

from anchang.customers.selectors import customers_for
from anchang.followups.models import LossApplication
from anchang.org.models import User


def pending_loss_applications(actor: User) -> QuerySet[LossApplication]:
    """Applications a manager may decide: pending, on customers they may reassign."""
    allowed = customers_for(actor, "reassign").values("pk")
    return (
        LossApplication.objects.filter(status="pending", customer__in=allowed)
        .select_related("customer", "applicant", "project")
        .order_by("id")
    )


def loss_applications_visible(actor: User) -> QuerySet[LossApplication]:
    return (
        LossApplication.objects.filter(customer__in=customers_for(actor, "view").values("pk"))
        .select_related("customer", "applicant", "decided_by")
        .order_by("-id")
    )
