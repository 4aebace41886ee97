"""Altair chart specs and the figures (chart, caption, table) built on them."""
