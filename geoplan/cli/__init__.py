"""The geoplan command line: ``geoplan`` (:mod:`geoplan.cli.main`) and its command groups.

For the ``scenario`` commands, importing this package (before numpy loads: ``import geoplan``
does not load it) sets ``OPENBLAS_NUM_THREADS=1`` unless it is set already. A scenario updates
a few cells in one thread (scipy's csgraph, GEOS, GDAL); OpenBLAS's worker threads, started
when numpy loads, only spun beside it: ~0.4 CPU-s of a ``geoplan scenario run`` on the demo
(1.0 s), taken from the other jobs of a busy machine. A value set by the user is kept; the
other commands keep OpenBLAS's default.
"""

import os as _os
import sys as _sys

if "scenario" in _sys.argv[1:3]:  # `geoplan scenario …`, `geoplan --debug scenario …`
    _os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
