"""Exceptions raised by confkit."""


class ConfigError(Exception):
    """Base class of every confkit error."""

    def __init__(self, message, lineno=None, source="<string>"):
        self.message = message
        self.lineno = lineno
        self.source = source
        where = source if lineno is None else f"{source}, line {lineno}"
        super().__init__(f"{where}: {message}")


class ParseError(ConfigError):
    """The text is not valid confkit syntax."""


class DuplicateKeyError(ParseError):
    """A key appears twice in one section."""


class MissingKeyError(ConfigError, KeyError):
    """A section or option was requested that does not exist."""

    def __str__(self):
        return Exception.__str__(self)


class InterpolationError(ConfigError):
    """A ``${...}`` reference cannot be resolved."""
