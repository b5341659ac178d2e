"""The geoplan command line: ``geoplan`` (:mod:`geoplan.cli.main`) and its command groups.

Importing this package (before numpy loads: ``import geoplan`` does not load it) sets
``OPENBLAS_NUM_THREADS=1`` unless it is set already: the command line computes in one thread
(scipy's csgraph, GEOS, GDAL), and OpenBLAS's worker threads, started when numpy loads, only
spun beside it (~0.3 CPU-s of a ``geoplan scenario run`` on the demo, taken from the other
jobs of a busy machine). A value set by the user is kept.
"""

import os as _os

_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
