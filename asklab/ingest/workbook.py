"""Workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``): every sheet as a raw table.

calamine (through fastexcel) reads all four by their content; a sheet's
lines are its row numbers. For ``.xlsx``/``.xlsm`` the sheets' XML is also
searched for formulas without a saved value, which calamine shows as blank.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

import fastexcel
import polars as pl

from asklab.ingest.header import no_kind_message
from asklab.ingest.table import (
    FileError,
    FileRead,
    RawTable,
    build_table,
    cell_names,
    first_non_blank,
    read_bytes,
    trim_cells,
)

# Excel error values as calamine names them, back to the text Excel shows.
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}

FORMULA_WITHOUT_VALUE = (
    "formula with no saved value: open and save the file in Excel or LibreOffice"
)


def read_workbook_file(path: Path, source_file: str) -> FileRead:
    """Every sheet of a workbook; a sheet without a recognised header is skipped with a notice.

    calamine (through fastexcel) reads ``.xlsx``, ``.xlsm``, ``.xls`` and
    ``.ods`` alike, by their content. For ``.xlsx``/``.xlsm`` the sheets'
    XML is also searched for formula cells without a saved value (see
    :func:`unsaved_formulas`).
    """
    data = read_bytes(path)
    try:
        workbook = fastexcel.read_excel(data)
        sheet_names = list(workbook.sheet_names)
    except (fastexcel.FastExcelError, OSError) as exc:
        raise FileError(f"cannot read the workbook: {_first_line(exc)}") from None
    formulas = unsaved_formulas(data) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    tables: list[RawTable] = []
    notices: list[str] = []
    for name in sheet_names:
        cells, letters, formula_cells = _sheet_cells(workbook, name, formulas.get(name, []))
        header_index = first_non_blank(cells)
        if header_index is None:
            notices.append(f"sheet {name!r}: empty; sheet skipped")
            continue
        table = build_table(
            cells,
            header_index,
            cells.width - 1,
            source_file=source_file,
            sheet=name,
            notices=notices,
            column_labels=[f"column {letter}" for letter in letters],
            formula_cells=formula_cells,
        )
        if table is not None:
            tables.append(table)
    if not tables:
        raise FileError(f"no recognised header: no sheet has {no_kind_message()}")
    return FileRead(source_file=source_file, tables=tables, notices=notices)


read_xlsx_file = read_workbook_file  # the v1 name


def _sheet_cells(
    workbook: fastexcel.ExcelReader, name: str, formulas: list[tuple[int, int, str]]
) -> tuple[pl.DataFrame, list[str], set[tuple[int, str]]]:
    """The sheet's cells as text from row 1 (``skip_rows=0`` keeps leading empty rows).

    Also the Excel letter of each column (the cells start at the sheet's first
    used column, not necessarily A), and the (line, cell column) of each
    formula without a saved value among ``formulas`` (0-based row, column,
    formula text): such a cell holds ``=`` and its formula.
    """
    try:
        sheet = workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        batch, errors = sheet.to_arrow_with_errors()
    except fastexcel.FastExcelError as exc:
        raise FileError(f"cannot read sheet {name!r}: {_first_line(exc)}") from None
    frame = pl.DataFrame(pl.from_arrow(batch))
    absolute = [c.absolute_index for c in sheet.selected_columns]
    letters = [_excel_letters(index) for index in absolute]
    names = cell_names(frame.width)
    frame.columns = names
    frame = frame.with_columns(pl.col(names).cast(pl.String)) if names else frame
    formula_cells: set[tuple[int, str]] = set()
    if (errors is not None and errors.errors) or formulas:
        patched = {n: frame[n].to_list() for n in names}
        # Formula errors (#DIV/0!, #N/A, ...) come back as cell errors: keep their text.
        for error in errors.errors if errors is not None else []:
            row, column = error.position
            found = re.search(r"Error\((\w+)\)", error.detail)
            text = _EXCEL_ERRORS.get(found.group(1), "#ERROR") if found else "#ERROR"
            patched[names[column]][row] = text
        height = frame.height
        for row, column, formula in formulas:
            if column not in absolute:
                continue  # outside the used columns: under no header
            cell_name = names[absolute.index(column)]
            if row >= height:  # calamine leaves out trailing rows that hold no value
                for values in patched.values():
                    values.extend([None] * (row + 1 - height))
                height = row + 1
            patched[cell_name][row] = f"={formula}"
            formula_cells.add((row + 1, cell_name))
        frame = pl.DataFrame(patched, schema=dict.fromkeys(names, pl.String))
    line = pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("line")
    return trim_cells(frame.with_columns(line)), letters, formula_cells


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_XML_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_XML_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_XML_REF = re.compile(rb'\br="\$?([A-Za-z]{1,3})\$?([0-9]+)"')


def unsaved_formulas(data: bytes) -> dict[str, list[tuple[int, int, str]]]:
    """Formula cells with no saved (cached) value, per sheet name: (row, column, formula).

    Rows and columns are 0-based. Files written by programs that do not
    calculate (openpyxl, many exporters) hold formulas with no ``<v>``; Excel
    and LibreOffice save the value. calamine reads only values, so such a
    cell would look blank. A file that is not a readable zip of sheets gives
    ``{}`` (calamine reports it). A writer that saves ``0`` as a placeholder
    value (xlsxwriter does) cannot be told from a real 0.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels}
            found: dict[str, list[tuple[int, int, str]]] = {}
            for sheet in book.iter(f"{{{_MAIN_NS}}}sheet"):
                target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
                member = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(f"xl/{target}")
                )
                try:
                    if not _has_formula(archive, member):
                        continue
                    xml = archive.read(member)
                except KeyError:
                    continue
                cells = _formulas_without_value(xml)
                if cells:
                    found[sheet.get("name") or ""] = cells
            return found
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return {}


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_SCAN_CHUNK = 1 << 20


def _has_formula(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether a sheet's XML has a formula tag, read in chunks (a sheet may be large)."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _formulas_without_value(xml: bytes) -> list[tuple[int, int, str]]:
    cells: list[tuple[int, int, str]] = []
    for match in _XML_CELL.finditer(xml):
        inner = match.group(2) or b""
        formula = _XML_FORMULA.search(inner)
        if formula is None:
            continue
        value = _XML_VALUE.search(inner)
        if value is not None and (value.group(1) or b"").strip():
            continue
        ref = _XML_REF.search(match.group(1))
        if ref is None:
            continue
        text = unescape((formula.group(1) or b"").decode("utf-8", "replace")) or "(shared formula)"
        cells.append((int(ref.group(2)) - 1, _excel_index(ref.group(1).decode()), text))
    return cells


def _excel_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _excel_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
