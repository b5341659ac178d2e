"""The geoplan command line: ``geoplan`` (:mod:`geoplan.cli.main`) and its command groups."""
