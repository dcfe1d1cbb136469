"""The run stage: from prepared rows to one outcome per row (plan, send, journal, result table).

Layout, in the order data flows:

* :mod:`~hubframe.run.options` -- :class:`RunOptions`, the options every job takes;
* :mod:`~hubframe.run.rows`, :mod:`~hubframe.run.lookup`, :mod:`~hubframe.run.labels`,
  :mod:`~hubframe.run.pairs`, :mod:`~hubframe.run.preflight` -- preparing rows: validation
  outcomes, ids looked up by property, labels resolved, the portal read first;
* :mod:`~hubframe.run.work` -- the typed records: ``WorkItem``, ``Batch``, ``Outcome``;
* :mod:`~hubframe.run.endpoints` -- one table of the batch endpoints, keyed by action;
* :mod:`~hubframe.run.plan` -- pure planning: repeats set aside, groups chunked to the maxima;
* :mod:`~hubframe.run.send` and :mod:`~hubframe.run.answers` -- sending, and reading answers;
* :mod:`~hubframe.run.journal` -- resume after a crash; what undo needs;
* :mod:`~hubframe.run.pipeline` -- the one skeleton every job runs through;
* :mod:`~hubframe.run.table` -- the result table, built once.
"""

from hubframe.run.options import RunKwargs, RunOptions

__all__ = ["RunKwargs", "RunOptions"]
