"""Every read of customers starts here, scoped by the permission matrix."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from anchang import permissions
from anchang.customers.models import Customer
from anchang.org.models import User
from anchang.org.selectors import Grant, actor_grants


def _relation_q(grant: Grant, relation: str, actor: User) -> Q:
    if relation == "own":
        return Q(project_id__in=grant.project_ids, owner_id=actor.pk)
    if relation == "same_project":
        return Q(project_id__in=grant.project_ids)
    if relation == "other_project":
        return Q(project_id__in=grant.region_project_ids)
    if relation == "other_region":
        return Q(project_id__in=grant.company_project_ids)
    raise ValueError(relation)


def customers_q(actor: User, action: str) -> Q | None:
    """The filter for the customers `actor` may `action`; None means none at all."""
    clauses = [
        _relation_q(grant, relation, actor)
        for grant in actor_grants(actor)
        for relation in permissions.allowed_relations(grant.role, action)
    ]
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def customers_for(actor: User, action: str) -> QuerySet[Customer]:
    q = customers_q(actor, action)
    if q is None:
        return Customer.objects.none()
    return Customer.objects.filter(q)


def visible_customers(actor: User) -> QuerySet[Customer]:
    return customers_for(actor, "view")


def customer_get_visible(*, actor: User, pk) -> Customer:
    """404 (never 403) for a customer the actor may not see, so ids reveal nothing."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    customer = (
        visible_customers(actor)
        .select_related("owner", "project", "project__region")
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise Http404
    return customer


def customer_list(actor: User) -> QuerySet[Customer]:
    return customers_for(actor, "list").select_related("owner", "project").order_by("-id")


def actor_may(actor: User, action: str, customer: Customer) -> bool:
    return customers_for(actor, action).filter(pk=customer.pk).exists()
