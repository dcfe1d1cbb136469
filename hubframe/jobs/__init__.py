"""The public jobs: each turns its input into work for the run pipeline.

* :func:`associate` (:mod:`hubframe.jobs.link`): link record pairs;
* :func:`configure_limits` (:mod:`hubframe.jobs.limits`): create, update, remove limits;
* :func:`undo` and :func:`remove_associations` (:mod:`hubframe.jobs.unlink`): take links back;
* :func:`sync` (:mod:`hubframe.jobs.sync`): make the portal's associations equal a sheet's;
* :func:`read_associations` (:mod:`hubframe.jobs.export`): read the portal into a sheet
  (read-only: no run pipeline);
* :func:`configure_labels` (:mod:`hubframe.jobs.labels`): create the labels a sheet names
  (one request per label: no run pipeline).

Each writing job is a small :class:`~hubframe.run.pipeline.Job` (its ``prepare``) plus a public
wrapper; :func:`hubframe.run.pipeline.run_job` runs them all the same way (a sync and an undo,
which may both remove and create, through :func:`hubframe.run.phases.run_in_phases`).
"""

from hubframe.jobs.export import read_associations
from hubframe.jobs.labels import configure_labels
from hubframe.jobs.limits import configure_limits
from hubframe.jobs.link import associate
from hubframe.jobs.sync import sync
from hubframe.jobs.unlink import load_run, remove_associations, undo

__all__ = [
    "associate",
    "configure_labels",
    "configure_limits",
    "load_run",
    "read_associations",
    "remove_associations",
    "sync",
    "undo",
]
