"""The notebook experience: ``hf.app()`` and the HTML pictures the notebooks show.

``app()`` returns a :class:`HubframeApp` whose ``widget`` is an ipywidgets tree with the steps
connect, job, sheet, column mapping, validate, dry run, run (progress, live counts, cancel) and
results (preview, summary chart, report and retry downloads).  ``summary_chart_html`` and
``issues_html`` render the same pictures for use in plain notebook cells.
"""

from __future__ import annotations

from hubframe.widgets.app import HubframeApp, app
from hubframe.widgets.render import (
    bar_chart_html,
    issues_html,
    plan_html,
    preview_html,
    summary_chart_html,
)

__all__ = [
    "HubframeApp",
    "app",
    "bar_chart_html",
    "issues_html",
    "plan_html",
    "preview_html",
    "summary_chart_html",
]
