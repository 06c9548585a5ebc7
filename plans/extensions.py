"""What apps built on plans add to plans' own work (plans imports no app above it).

They register in their AppConfig.ready():
* `plan_period_checks`: functions of a plan about to change its years, returning field errors
  ({"start_year": "..."}) for anything of theirs the new years would leave outside.
* `plan_copiers`: functions called with `source=`, `target=`, `actor=` inside the transaction
  that starts a new draft from an old plan, copying their own parts of it.
* `plan_state_changes`: functions called with `plan=` inside the transaction that activated or
  archived it (what an app stores about "the active plan" follows).
* `plan_history_sources`: functions of a plan returning `core.history.HistorySource`s of their
  own rows, shown in the plan page's history beside the plan's and its portrait's.

The plan page's regions are registered in `plans.pages`.
"""

from __future__ import annotations

from collections.abc import Callable

plan_period_checks: list[Callable] = []
plan_copiers: list[Callable] = []
plan_history_sources: list[Callable] = []
plan_state_changes: list[Callable] = []
