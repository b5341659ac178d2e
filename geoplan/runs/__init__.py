"""Runs: a pipeline run, a scenario run, many areas on Dask, and the run folder."""
