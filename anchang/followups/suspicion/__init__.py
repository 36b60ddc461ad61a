"""可疑记录: follow-ups worth a manager's second look, detected once and stored."""
