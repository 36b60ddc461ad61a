"""My day (今日待办), the consultant's home: its reads, its reminders fragment, its API, and
the sections the apps above followups add to it."""
