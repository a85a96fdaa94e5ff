"""Monitoring: list diffs, watchlists re-screened when a list changes, alerts and their delivery."""
