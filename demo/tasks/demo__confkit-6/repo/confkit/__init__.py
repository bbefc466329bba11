"""INI-style configuration files with quoting, interpolation and types."""

from .errors import ConfigError, DuplicateKeyError, InterpolationError, MissingKeyError, ParseError
from .parser import Config, load, loads

__all__ = [
    "Config",
    "ConfigError",
    "DuplicateKeyError",
    "InterpolationError",
    "MissingKeyError",
    "ParseError",
    "load",
    "loads",
]
__version__ = "0.8.2"
