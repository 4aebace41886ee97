"""Ingestion: find input files, read them as text, apply the contract's rules.

The data path, one module per step: ``discover`` (which files) -> ``read``
(cells as text: ``delimited`` and ``workbook`` readers build ``table`` s,
``header`` decides each table's kind) -> ``validate`` (``dates``, ``rules``
and ``cells`` for the value rules). Member and contact
keys and slugs are in :mod:`asklab.keys`. Pure functions only; the loader
(``asklab.load``) builds on them.

(``discover.discover`` is not re-exported here: the name would hide the
``asklab.ingest.discover`` module.)
"""

from asklab.ingest.check import NoticeLine, PathsReport, Problem, check_paths, validate_paths
from asklab.ingest.discover import (
    Discovery,
    Notice,
    UnreadableFolder,
    discover_files,
    folder_member,
    source_name,
)
from asklab.ingest.read import FileError, FileRead, RawTable, read_file
from asklab.ingest.row_schemas import CALL_ROW_SCHEMA, EVENT_ROW_SCHEMA, REJECTED_SCHEMA
from asklab.ingest.validate import ValidatedFile, validate_file, validate_read
from asklab.keys import contact_key, member_key, member_slug

__all__ = [
    "CALL_ROW_SCHEMA",
    "EVENT_ROW_SCHEMA",
    "REJECTED_SCHEMA",
    "Discovery",
    "FileError",
    "FileRead",
    "Notice",
    "NoticeLine",
    "PathsReport",
    "Problem",
    "RawTable",
    "UnreadableFolder",
    "ValidatedFile",
    "check_paths",
    "contact_key",
    "discover",
    "discover_files",
    "folder_member",
    "member_key",
    "member_slug",
    "read_file",
    "source_name",
    "validate_file",
    "validate_paths",
    "validate_read",
]
