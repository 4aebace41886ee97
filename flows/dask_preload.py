"""Dask worker preload for the groups run: import what a group's run needs as the worker starts.

The temporary local cluster passes it to its workers; on other machines,
``dask worker tcp://HOST:8786 --preload flows.dask_preload``. Without it a
worker imports Polars, DuckDB, Altair and Prefect's task engine (a few
seconds) while running its first group.
"""

import importlib

# What a group's task imports: the pipeline, its outcome and report stages, the flow.
MODULES = ("asklab.pipeline", "asklab.outcomes.build", "asklab.report", "flows.groups")

for module in MODULES:
    importlib.import_module(module)
