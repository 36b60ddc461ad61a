"""Anchang (案场): an open CRM for consultative sales offices."""
