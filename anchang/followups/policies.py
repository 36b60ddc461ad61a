"""Who may do what in the follow-up engine, read from the permission matrix
(anchang/permissions.yaml). Each subpackage keeps its own decisions in its policies.py;
what they share lives here."""

from anchang import permissions
from anchang.org.models import User
from anchang.org.selectors import actor_grants


def review_project_ids(actor: User) -> set[int]:
    """Projects where the actor may reassign every customer: those whose follow-ups,
    suspicious records and revisit plans they review. A role that may reassign only its
    own customers reviews nothing. From the grants already read (no query)."""
    ids: set[int] = set()
    for grant in actor_grants(actor):
        relations = permissions.allowed_relations(grant.role, "reassign")
        if "same_project" in relations:
            ids |= grant.project_ids
        if "other_project" in relations:
            ids |= grant.region_project_ids
        if "other_region" in relations:
            ids |= grant.company_project_ids
    return ids
