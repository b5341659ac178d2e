"""geoplan's Processing algorithms, one module each; the provider registers ``ALGORITHMS``."""

from .inspect import InspectAlgorithm

ALGORITHMS = (InspectAlgorithm,)

__all__ = ["ALGORITHMS"]
