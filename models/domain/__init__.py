"""Domain rules: pure functions and values the workflows, activities and services share (org nr,
calendar, money, customer reference, submission checks, compliance, audit trail)."""
