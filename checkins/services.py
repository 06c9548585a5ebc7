"""Writes to check-ins: filling in and submitting (the school's or department's side), and the
district's responses. Every function takes the district and the acting membership, checks permission
through districts.policy, runs in one transaction and reports what changed through checkins.events
(roll-ups and emails follow from there)."""

from __future__ import annotations

# --- Filling in and submitting -------------------------------------------------------------------


# --- Responses -----------------------------------------------------------------------------------
