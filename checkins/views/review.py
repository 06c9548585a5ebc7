"""Review pages: a cycle's check-ins, the support-request queue, and responses to a check-in."""
