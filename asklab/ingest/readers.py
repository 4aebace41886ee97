"""Compatibility: the readers moved to :mod:`asklab.ingest.read` (and the header
parsing to :mod:`asklab.ingest.header`). Import from there; this module goes
once ``asklab.ingest.load`` and its tests import the new names.
"""

from asklab.ingest.header import normalise_header
from asklab.ingest.read import *  # noqa: F403
from asklab.ingest.read import (  # private names some tests still import
    _read_csv_wide,
    _records_exact,
    _records_fast,
    _trim_cells,
)

__all__ = [  # noqa: F405
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
