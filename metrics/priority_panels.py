"""What metrics contributes to the priority page (registered in MetricsConfig.ready(), see priorities.pages):
its measures of success, with "Add a metric" for those who may define one."""

from __future__ import annotations

from django.http import HttpRequest

from districts.policy import Action, can
from priorities.models import Priority

from .selectors import priority_metric_summaries


def priority_metrics_panel(request: HttpRequest, priority: Priority, *, editable: bool) -> tuple[str, dict]:
    """templates/metrics/_priority_metrics.html: the priority's metrics, each summarised on a card."""
    summaries = priority_metric_summaries(district=request.district, priorities=[priority])[priority.pk]
    return "metrics/_priority_metrics.html", {
        "metric_summaries": summaries,
        "can_define_metric": editable and can(request.membership, Action.DEFINE_METRIC, priority),
    }
