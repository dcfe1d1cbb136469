"""Reports and retry files: what an analyst opens after a run, and what undo reads back.

``export_report(result, path)`` turns a result table (docs/report.md, "The result table") into
what an analyst opens: an ``.xlsx`` workbook with the sheets ``Summary``, ``Results``, ``Errors``
and ``Validation``, or a ``.csv`` of the results alone.  ``export_retry(result, path)`` writes
the rows that still need doing (failed, invalid, and rows a stopped run never sent) in the
layout of the sheet the analyst uploaded, so they can fix them and run the file again.

Speed.  openpyxl builds the workbook (styles, the Summary sheet and its chart, the header rows,
frozen panes, filters, column widths) in write-only mode; the cells of the large tables are then
streamed straight into the worksheet XML, chunk by chunk, with the style ids openpyxl
registered.  openpyxl's own per-cell serializer manages about 200,000 cells a second here, which
is 20 s for 200,000 result rows; the stream writes the same cells in a fraction of that
(``bench/report_export.py`` prints both).

Safety.  Text is always written as text, headers included: in ``.xlsx`` as an inline string
cell (Excel never evaluates those) with the "quote prefix" style on values that start with
``=``, ``+``, ``-``, ``@``, tab or carriage return, so editing the cell keeps it text, and with
the value unchanged (characters XML cannot hold and text that looks like Excel's own ``_xHHHH_``
escapes are escaped that way, so Excel and calamine read the exact text back); in ``.csv``
such values get the reversible guard of :mod:`hubframe.formula` (a leading ``'``, which
hubframe's reader takes off again), unless they are plain numbers such as ``-5``.  Numbers stay
numbers.  No file holds a secret: every text -- cells, headers, sheet names, settings -- has the
values registered with :mod:`hubframe.redaction` (the client's token) replaced by
``<redacted>``; settings whose key looks like a secret are dropped and a base URL is reduced to
its host.
"""

from hubframe.report.columns import RETRY_STATUSES, original_columns, report_columns, retry_rows
from hubframe.report.excel import STATUS_COLOURS
from hubframe.report.export import export_report
from hubframe.report.reader import load_run
from hubframe.report.retry import export_retry
from hubframe.report.safety import csv_safe, needs_escaping
from hubframe.report.sheet import write_pairs
from hubframe.run.table import summarize

__all__ = [
    "RETRY_STATUSES",
    "STATUS_COLOURS",
    "csv_safe",
    "export_report",
    "export_retry",
    "load_run",
    "needs_escaping",
    "original_columns",
    "report_columns",
    "retry_rows",
    "summarize",
    "write_pairs",
]
