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

The jobs are imported on first use, so ``hubframe.jobs.check`` (what ``hf.validate_pairs``
runs) loads neither the run pipeline, its journal nor the report writers.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubframe.jobs.export import read_associations
    from hubframe.jobs.labels import configure_labels
    from hubframe.jobs.limits import configure_limits
    from hubframe.jobs.link import associate
    from hubframe.jobs.sync import sync
    from hubframe.jobs.unlink import load_run, remove_associations, undo

#: Public name -> the module that defines it (imported on first use).
_LAZY: dict[str, str] = {
    "read_associations": "hubframe.jobs.export",
    "configure_labels": "hubframe.jobs.labels",
    "configure_limits": "hubframe.jobs.limits",
    "associate": "hubframe.jobs.link",
    "sync": "hubframe.jobs.sync",
    "load_run": "hubframe.jobs.unlink",
    "remove_associations": "hubframe.jobs.unlink",
    "undo": "hubframe.jobs.unlink",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hubframe.jobs' has no attribute {name!r}")
    found = getattr(importlib.import_module(module), name)
    globals()[name] = found  # the next use is a plain attribute
    return found


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Jobs(ModuleType):
    """``hubframe.jobs.sync`` names both a module and its job: importing the module would make
    it the package's ``sync`` attribute, so the package keeps that name for the job."""

    def __setattr__(self, name: str, value: Any) -> None:
        if not (name in _LAZY and isinstance(value, ModuleType)):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Jobs
