"""Writers: GeoPackages with QGIS styles, rasters, maps, reports and tables — all atomic."""
