"""Exit 0 when shapely, pyproj, pyogrio and rasterio use Debian's GEOS, PROJ and GDAL (the copies
QGIS links), else print the mismatches and exit 1. Used by scripts/setup.sh.

Inside the QGIS executable (desktop, qgis_process) a second copy of GEOS/PROJ/GDAL from a binary
wheel shares symbols with QGIS's own and crashes (GEOS C++ ABI, PROJ's destructors at exit).
"""

from __future__ import annotations

import subprocess
import sys


def system(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def main() -> int:
    try:
        want = {"GEOS": system(["geos-config", "--version"]),
                "PROJ": system(["pkg-config", "--modversion", "proj"]),
                "GDAL": system(["gdal-config", "--version"])}
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"system libraries not found ({exc})")
        return 1
    import pyogrio
    import pyproj
    import rasterio
    import shapely

    have = {
        "shapely": ("GEOS", shapely.geos_version_string),
        "pyproj": ("PROJ", pyproj.proj_version_str),
        "pyogrio": ("GDAL", pyogrio.__gdal_version_string__),
        "rasterio": ("GDAL", rasterio.__gdal_version__),
    }
    bad = [f"{pkg} uses {lib} {ver}, Debian has {want[lib]}" for pkg, (lib, ver) in have.items()
           if ver != want[lib]]
    try:  # a build that imports but does not work (e.g. pyproj compiled with a too new Cython)
        pyproj.Transformer.from_crs(4326, 3006, always_xy=True).transform(13.0, 55.6)
        shapely.contains_xy(shapely.box(0, 0, 1, 1), 0.5, 0.5)
    except Exception as exc:  # noqa: BLE001 - report whatever broke
        bad.append(f"a smoke test failed: {type(exc).__name__}: {exc}")
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
