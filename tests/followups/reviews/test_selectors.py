"""followups/reviews: the selectors.

主管批示: managers comment on follow-ups from a queue; consultants read the comments on My
day; counts per consultant and per manager."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anchang.errors import PermissionDenied
from anchang.followups.models import ReviewCursor
from anchang.followups.reviews.selectors import review_queue
from anchang.followups.reviews.services import (
    review_comment,
    reviews_mark_done,
)
from tests.followups.reviews.helpers import entered, record


class TestQueue:
    def test_queue_is_the_teams_follow_ups_since_the_last_review(self, team, fu):
        world, c1, c2, m1, _m2, m_other = team
        old = entered(record(c1, fu.customer), timedelta(days=8))  # before the default window
        mine = record(m1, fu.customer)
        p2c = world.consultants["p2"][0]
        other_project = record(p2c, world.register(p2c, world.p2).customer)
        later = record(c2, world.register(c2).customer)
        queue = review_queue(m1)
        assert [f.pk for f in queue.followups] == [fu.pk, later.pk]  # oldest first
        assert old.pk not in {f.pk for f in queue.followups}
        assert mine.pk not in {f.pk for f in queue.followups}
        assert [f.pk for f in review_queue(m_other).followups] == [other_project.pk]
        assert review_queue(c1).followups == []

    def test_mark_done_moves_the_queue_and_never_back(self, team, fu):
        world, c1, _c2, m1, m2, _ = team
        entered(fu, timedelta(minutes=10))
        drawn = timezone.now() - timedelta(minutes=5)  # when the manager's page was drawn
        arrived = entered(record(c1, fu.customer), timedelta(minutes=2))  # while reading
        reviews_mark_done(actor=m1, project=world.p1, until=drawn)
        assert [f.pk for f in review_queue(m1).followups] == [arrived.pk]
        reviews_mark_done(actor=m1, project=world.p1, until=drawn - timedelta(days=3))
        assert [f.pk for f in review_queue(m1).followups] == [arrived.pk]
        reviews_mark_done(actor=m1)  # every project, up to now
        assert review_queue(m1).followups == []
        # each manager has their own cursor
        assert {f.pk for f in review_queue(m2).followups} == {fu.pk, arrived.pk}
        assert ReviewCursor.objects.get(reviewer=m1).reviewed_until <= timezone.now()

    def test_a_long_queue_is_worked_through_in_batches(self, team, fu, monkeypatch):
        from anchang.followups.reviews import selectors as review_selectors

        world, c1, _c2, m1, *_ = team
        monkeypatch.setattr(review_selectors, "QUEUE_LIMIT", 2)
        older = [entered(fu, timedelta(minutes=30))]
        for minutes in (20, 10):
            older.append(entered(record(c1, fu.customer), timedelta(minutes=minutes)))
        queue = review_queue(m1)
        assert queue.truncated and [f.pk for f in queue.followups] == [f.pk for f in older[:2]]
        reviews_mark_done(actor=m1, until=queue.drawn_at)
        queue = review_queue(m1)
        assert not queue.truncated and [f.pk for f in queue.followups] == [older[2].pk]

    def test_mark_done_in_the_future_stops_at_now(self, team, fu):
        m1 = team[3]
        reviews_mark_done(actor=m1, until=timezone.now() + timedelta(days=30))
        assert ReviewCursor.objects.get(reviewer=m1).reviewed_until <= timezone.now()

    def test_only_managers_mark_done(self, team):
        world, c1, _c2, _m1, _m2, m_other = team
        with pytest.raises(PermissionDenied):
            reviews_mark_done(actor=c1)
        with pytest.raises(PermissionDenied):
            reviews_mark_done(actor=m_other, project=world.p1)
        assert not ReviewCursor.objects.exists()

    def test_queue_queries_do_not_grow(self, team, fu):
        world, c1, _c2, m1, m2, _ = team

        def queries():
            with CaptureQueriesContext(connection) as ctx:
                rows = review_queue(m1).followups
                shown = [
                    (f.customer.name, f.author.name, f.project.name,
                     [(r.reviewer.name, r.comment) for r in f.reviews.all()])
                    for f in rows
                ]  # fmt: skip
            return len(ctx.captured_queries), len(shown)

        review_comment(actor=m2, followup=fu, comment="一条")
        queries()  # the actor's grants are read once, then kept for the request
        few = queries()
        for i in range(8):
            extra = record(c1, world.register(c1, name=f"客{i}").customer)
            review_comment(actor=m2, followup=extra, comment=f"批示{i}")
        many = queries()
        assert many[1] == few[1] + 8 and many[0] == few[0]
