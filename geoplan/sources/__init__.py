"""Readers for each kind of input: OSM extracts, lamp registers, area statistics, rasters."""
