"""The four date formats pages show, in the local time zone (filters of the Jinja2
environment, anchang/jinja2env.py).

`{{ t|ymd_hm }}` prints what Django's `date("Y-m-d H:i")` does, at a third of the cost: the
date filter looks the format up and parses it at every call (~28 µs), which a customer list
of 50 rows or a card's follow-ups paid per row. Empty values print "" (so `or "—"` still
applies); anything that is not a date prints "" too, as the date filter does.
"""

# filter name → strftime pattern (Django's "Y-m-d H:i", "Y-m-d", "m-d H:i", "m-d")
FORMATS = {"ymd_hm": "%Y-%m-%d %H:%M", "ymd": "%Y-%m-%d", "md_hm": "%m-%d %H:%M", "md": "%m-%d"}
