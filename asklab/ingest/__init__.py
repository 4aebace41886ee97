"""Ingestion: find input files, read them as text, apply the contract's rules.

Pure functions only; the warehouse loader (``asklab.ingest.load``) builds on them.
"""

from asklab.ingest.discover import discover_files, folder_member, source_name
from asklab.ingest.readers import FileError, FileRead, RawTable, read_file
from asklab.ingest.validate import (
    CALL_ROW_SCHEMA,
    EVENT_ROW_SCHEMA,
    REJECTED_SCHEMA,
    Problem,
    ValidatedFile,
    validate_file,
    validate_paths,
    validate_read,
)
from asklab.keys import contact_key, member_key, member_slug

__all__ = [
    "CALL_ROW_SCHEMA",
    "EVENT_ROW_SCHEMA",
    "REJECTED_SCHEMA",
    "FileError",
    "FileRead",
    "Problem",
    "RawTable",
    "ValidatedFile",
    "contact_key",
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
