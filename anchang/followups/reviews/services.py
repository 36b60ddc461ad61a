"""主管批示: a manager comments on follow-ups, works through a queue, the consultant reads.

The one door to every change in supervisor review. Pages and the API load objects through
reviews.selectors (404 for what the actor may not see) and call these functions.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.errors import ValidationFailed
from anchang.followups.errors import Code
from anchang.followups.models import FollowUp, Review, ReviewCursor
from anchang.followups.reviews import policies
from anchang.followups.reviews.selectors import review_projects
from anchang.org.models import Project, User

COMMENT_MAX = 500


def clean_comment(comment: str | None) -> str:
    """Stripped comment text, or ValidationFailed with a message that says what to fix.
    Line breaks inside are kept: a manager may write two points on two lines."""
    text = (comment or "").strip()
    if not text:
        raise ValidationFailed(
            fields={"comment": _("Write a comment for the consultant.")}, code=Code.COMMENT_EMPTY
        )
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(
            fields={"comment": _("At most %(n)d characters (now %(len)d).")
                    % {"n": COMMENT_MAX, "len": len(text)}},
            code=Code.COMMENT_TOO_LONG,
        )  # fmt: skip
    if "\x00" in text:  # PostgreSQL refuses NUL in text; say so instead of failing later
        raise ValidationFailed(fields={"comment": _("The text contains a null character.")})
    return text


@transaction.atomic
def review_comment(*, actor: User, followup: FollowUp, comment: str) -> Review:
    """Add a manager's comment (主管批示) to a follow-up; its author sees it on My day.

    The same comment posted twice on the same record (a double tap, a retried request)
    gives back the first one rather than a duplicate the consultant would read twice.
    """
    policies.ensure_can_review_followup(actor=actor, followup=followup)
    text = clean_comment(comment)
    existing = Review.objects.filter(followup=followup, reviewer=actor, comment=text).first()
    if existing is not None:
        return existing
    return Review.objects.create(
        followup=followup, project_id=followup.project_id, reviewer=actor,
        consultant_id=followup.author_id, comment=text,
    )  # fmt: skip


@transaction.atomic
def reviews_mark_done(
    *, actor: User, project: Project | None = None, until: datetime | None = None
) -> datetime:
    """Everything entered up to `until` (default: now) counts as reviewed, so the queue
    starts after it. `project` None means every project the actor reviews.

    `until` is the moment the manager's page was drawn: records that arrived while they
    were reading stay in the queue. The cursor never moves back (a stale tab must not
    bring reviewed records back) and never past now.
    """
    now = timezone.now()
    until = until or now
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    until = min(until, now)
    policies.ensure_can_review_project(actor=actor, project=project)
    targets = list(review_projects(actor)) if project is None else [project]
    for target in targets:
        cursor, created = ReviewCursor.objects.get_or_create(
            reviewer=actor, project=target, defaults={"reviewed_until": until}
        )
        if not created:
            # Conditional update: two tabs marking at once both end at the later time.
            ReviewCursor.objects.filter(pk=cursor.pk, reviewed_until__lt=until).update(
                reviewed_until=until
            )
    return until


def review_mark_read(*, actor: User, review: Review) -> Review:
    """The consultant has read a comment ("got it"); it then leaves My day after 7 days.
    Only the addressee may; for anyone else the comment does not exist (404)."""
    policies.ensure_can_read_review(actor=actor, review=review)
    if review.read_at is None:
        now = timezone.now()
        # Conditional: a second tap keeps the first time.
        Review.objects.filter(pk=review.pk, read_at__isnull=True).update(read_at=now)
        review.refresh_from_db(fields=["read_at"])
    return review
