"""Log-in by username and password: Django's ModelBackend, with the signed-in user read on
every request by one plain statement that brings their memberships too
(org.selectors.user_with_memberships). Through the ORM that read was compiled afresh on
every page, ~0.3 ms of a page's few milliseconds, and the memberships were a second round
trip."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from anchang.org.selectors import user_with_memberships


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = user_with_memberships(user_id) if type(user_id) is int else None
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
