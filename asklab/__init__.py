"""asklab: measure which networking asks work for a job-search group.

The package holds the domain logic as plain functions (ingestion, outcomes,
statistics, reports); ``flows/`` wires them into Prefect. Nothing here imports
Prefect's flow machinery.
"""

__version__ = "0.1.0"
