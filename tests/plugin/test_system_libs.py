"""One copy of GEOS, PROJ and GDAL in the process: geoplan's shapely, pyproj, pyogrio and rasterio
must use the libraries QGIS links. Inside the QGIS executable (desktop, qgis_process) a second
copy from a binary wheel shares symbols with QGIS's and crashes (seen: GEOS C++ ABI in
shapely.contains_xy, a double free in libproj's destructors at exit). scripts/setup.sh builds
them from source against Debian's libraries."""

from __future__ import annotations


def test_geoplan_uses_the_libraries_qgis_links(qgis_app):
    import pyogrio
    import pyproj
    import rasterio
    import shapely
    from osgeo import gdal
    from qgis.core import Qgis, QgsProjUtils

    assert Qgis.geosVersion().split("-")[0] == shapely.geos_version_string  # "3.11.1-CAPI-1.17.1"
    proj = f"{QgsProjUtils.projVersionMajor()}.{QgsProjUtils.projVersionMinor()}"
    assert pyproj.proj_version_str.startswith(proj + ".")
    assert pyogrio.__gdal_version_string__ == gdal.__version__
    assert rasterio.__gdal_version__ == gdal.__version__
