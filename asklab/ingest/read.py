"""Read an input file into raw tables: every cell as text, with its line.

The data path's second step (discover -> read -> validate): :func:`read_file`
picks the reader by the file's suffix, in any case: delimited text
(:mod:`asklab.ingest.delimited`) or a workbook (:mod:`asklab.ingest.workbook`);
both build :class:`~asklab.ingest.table.RawTable` s (:mod:`asklab.ingest.table`).
"""

from __future__ import annotations

from pathlib import Path

from asklab.ingest.delimited import (
    SEPARATORS,
    detect_separator,
    read_csv_bytes,
    read_csv_file,
)
from asklab.ingest.discover import INPUT_SUFFIXES, SPREADSHEET_SUFFIXES, TEXT_SUFFIXES
from asklab.ingest.table import (
    DATE_COLUMNS,
    EXTRA_CELLS,
    FileError,
    FileRead,
    RawTable,
    read_bytes,
)
from asklab.ingest.workbook import (
    FORMULA_WITHOUT_VALUE,
    read_workbook_file,
    read_xlsx_file,
    unsaved_formulas,
)

__all__ = [
    "DATE_COLUMNS",
    "EXTRA_CELLS",
    "FORMULA_WITHOUT_VALUE",
    "SEPARATORS",
    "FileError",
    "FileRead",
    "RawTable",
    "detect_separator",
    "read_bytes",
    "read_csv_bytes",
    "read_csv_file",
    "read_file",
    "read_workbook_file",
    "read_xlsx_file",
    "unsaved_formulas",
]


def read_file(path: Path, source_file: str) -> FileRead:
    """Read an input file by its suffix (any case); raises ``FileError`` when it cannot be read.

    ``.csv`` and ``.tsv`` are text tables (separator detected alike);
    ``.xlsx``, ``.xlsm``, ``.xls`` and ``.ods`` are workbooks, every sheet read.
    """
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_csv_file(path, source_file)
    if suffix in SPREADSHEET_SUFFIXES:
        return read_workbook_file(path, source_file)
    raise FileError(f"not an input file ({', '.join(INPUT_SUFFIXES)}): {path.name}")
