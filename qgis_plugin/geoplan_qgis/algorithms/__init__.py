"""geoplan's Processing algorithms, one module each; the provider registers ``ALGORITHMS``."""

from .areas import AreaSummaryAlgorithm
from .council import CouncilLayoutAlgorithm
from .inspect import InspectAlgorithm
from .layers import LayersAlgorithm
from .network import NetworkAlgorithm
from .scenario import CompareScenariosAlgorithm, ScenarioAlgorithm

ALGORITHMS = (InspectAlgorithm, NetworkAlgorithm, LayersAlgorithm, AreaSummaryAlgorithm,
              ScenarioAlgorithm, CompareScenariosAlgorithm, CouncilLayoutAlgorithm)

__all__ = ["ALGORITHMS"]
