"""What the all-pages walk finds today, for issue 8 to fix: (url name, rule).

The rule is an axe-core rule id, "wider-than-390px" (the phone width check) or "server-error" (a 5xx).
tests/gates/test_all_pages.py lets these off, in any role and language; the list may only
shrink: a pair that no longer occurs anywhere fails the walk until it is taken off.
Keep it sorted.
"""

KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()
