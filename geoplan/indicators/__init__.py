"""Indicators: pure functions, each returning a DataFrame indexed by ``cell_id``."""
