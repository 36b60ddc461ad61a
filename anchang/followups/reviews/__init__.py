"""主管批示: managers comment on follow-ups, work through a queue; the consultant reads."""
