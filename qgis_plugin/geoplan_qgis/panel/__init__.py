"""The scenario panel (a dock widget): draw edits, run the scenario in the background, see what
changes."""

from .dock import ScenarioDock

__all__ = ["ScenarioDock"]
