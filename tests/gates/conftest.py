"""The gates' browser walk shares the browser tests' chromium and axe-core (tests/browser_session.py)."""
