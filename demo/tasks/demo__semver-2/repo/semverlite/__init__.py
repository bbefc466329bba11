from .version import Version, parse

__all__ = ["Version", "parse"]
__version__ = "1.2.0"
