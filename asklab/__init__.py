"""asklab: measure which networking asks work for a job-search group.

The package holds the domain logic as plain functions (ingestion, outcomes,
statistics, reports); ``flows/`` wires them into Prefect. Nothing here imports
Prefect's flow machinery.
"""

from pathlib import Path

__version__ = "0.1.0"

# SQL lives at the top of the repository (``sql/``), next to the package.
SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
