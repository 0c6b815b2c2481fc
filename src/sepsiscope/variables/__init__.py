"""What we measure, as data: the canonical variable registry and unit conversions."""

from sepsiscope.variables.registry import REGISTRY, Registry, Variable
from sepsiscope.variables.units import convert

__all__ = ["REGISTRY", "Registry", "Variable", "convert"]
