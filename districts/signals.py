"""What districts announce to the apps built on them (districts imports no app above it).

`schools_changed` is sent with `district=` inside the transaction that changed what the
district's schools are or how they count: a school created, deleted or imported, its level or
enrollment changed, or the district's status tolerance changed. Receivers decide what follows
(metrics refreshes its stored roll-ups after the commit) and connect in their AppConfig.ready().
"""

from django.dispatch import Signal

schools_changed = Signal()  # sender=District class, district=District
