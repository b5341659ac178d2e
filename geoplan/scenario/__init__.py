"""Scenarios: edits, incremental recompute, change layers and tables, the scenario GeoPackage."""
