"""逾期跟进: customers whose next follow-up date has passed, worst first."""
