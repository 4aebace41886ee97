"""Polars frames and table rows the pages show, from the report data."""
