"""Reads for the check-in pages: each returns what one page shows, in a bounded number of queries."""

from __future__ import annotations

# --- The check-in page and a place's check-ins -----------------------------------------------------


# --- Review: a cycle's check-ins, the support-request queue, responses ------------------------------
