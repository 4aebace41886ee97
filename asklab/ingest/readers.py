"""Compatibility: the readers moved to :mod:`asklab.ingest.read` (dispatch),
:mod:`asklab.ingest.table`, :mod:`asklab.ingest.delimited`,
:mod:`asklab.ingest.workbook` and :mod:`asklab.ingest.header`. Import from
there; this module goes once ``asklab.ingest.load`` and its tests import the
new names.
"""

from asklab.ingest.delimited import _read_csv_wide, _records_exact, _records_fast
from asklab.ingest.header import TableKind, normalise_header
from asklab.ingest.read import (
    DATE_COLUMNS,
    EXTRA_CELLS,
    FileError,
    FileRead,
    RawTable,
    read_csv_bytes,
    read_csv_file,
    read_file,
    read_xlsx_file,
)
from asklab.ingest.table import trim_cells as _trim_cells

__all__ = [
    "DATE_COLUMNS",
    "EXTRA_CELLS",
    "FileError",
    "FileRead",
    "RawTable",
    "TableKind",
    "_read_csv_wide",
    "_records_exact",
    "_records_fast",
    "_trim_cells",
    "normalise_header",
    "read_csv_bytes",
    "read_csv_file",
    "read_file",
    "read_xlsx_file",
]
