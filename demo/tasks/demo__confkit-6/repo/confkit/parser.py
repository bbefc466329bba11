"""Parser and accessors for confkit files.

Syntax summary::

    # full-line comments start with '#' or ';'
    [section]
    key = value            ; inline comments start at ' #' or ' ;'
    other: value           (':' works as a separator too)
    quoted = "keeps # and ; and \"escapes\"\n"
    long = first line
        indented lines continue the previous value
    ref = ${key} or ${section:key}; write $$ for a literal dollar sign

Keys are case-insensitive and stored lower-case; section names keep their
case. Options of the [DEFAULT] section are visible from every section.
"""

import re

from .errors import DuplicateKeyError, InterpolationError, MissingKeyError, ParseError

DEFAULT_SECTION = "DEFAULT"
MAX_INTERPOLATION_DEPTH = 10

_SECTION_RE = re.compile(r"^\[(?P<name>[^\]]*)\]\s*(?:[#;].*)?$")
_OPTION_RE = re.compile(r"^(?P<key>[A-Za-z0-9_.\-]+)\s*[=:]\s*(?P<value>.*)$")
_REFERENCE_RE = re.compile(r"\$(\$|\{([^}]*)\})")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_BOOLEANS = {
    "1": True, "yes": True, "true": True, "on": True,
    "0": False, "no": False, "false": False, "off": False,
}
_MISSING = object()


def _strip_inline_comment(value):
    """Remove a trailing ``# ...`` or ``; ...`` comment from a raw value.

    A marker only starts a comment when whitespace precedes it, so values
    such as ``#fff`` or ``a;b`` are kept intact.
    """
    for i, ch in enumerate(value):
        if ch in "#;" and i > 0 and value[i - 1] in " \t":
            return value[:i].rstrip()
    return value.rstrip()


def _unquote(raw, lineno, source):
    """Decode a double-quoted value; unquoted values are returned as-is."""
    if not raw.startswith('"'):
        return raw
    out = []
    i = 1
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            escape = raw[i + 1]
            if escape not in _ESCAPES:
                raise ParseError(f"unknown escape sequence \\{escape}", lineno, source)
            out.append(_ESCAPES[escape])
            i += 2
            continue
        if ch == '"':
            if raw[i + 1:].strip():
                raise ParseError("unexpected text after closing quote", lineno, source)
            return "".join(out)
        out.append(ch)
        i += 1
    raise ParseError("unterminated quoted string", lineno, source)


class _Entry:
    """One option while it is being read: its raw lines and position."""

    __slots__ = ("lines", "lineno")

    def __init__(self, first, lineno):
        self.lines = [first]
        self.lineno = lineno

    def value(self, source):
        if len(self.lines) == 1:
            return _unquote(self.lines[0], self.lineno, source)
        if self.lines[0].startswith('"'):
            raise ParseError("quoted values cannot continue on the next line", self.lineno, source)
        return "\n".join(line for line in self.lines if line)


class Config:
    """Parsed configuration: ordered sections of ordered options."""

    def __init__(self, source="<string>"):
        self.source = source
        self._sections = {}
        self._defaults = {}
        self._lines = {}

    # -- structure ---------------------------------------------------------

    def sections(self):
        """Section names in file order, without DEFAULT."""
        return list(self._sections)

    def has_section(self, section):
        return section in self._sections

    def options(self, section):
        """Option names of ``section``, including inherited defaults."""
        names = list(self._section(section))
        names.extend(k for k in self._defaults if k not in names)
        return names

    def has_option(self, section, key):
        if section != DEFAULT_SECTION and section not in self._sections:
            return False
        key = key.lower()
        return key in self._sections.get(section, {}) or key in self._defaults

    def line_of(self, section, key):
        """Line number where ``section``/``key`` was defined."""
        try:
            return self._lines[(section, key.lower())]
        except KeyError:
            raise MissingKeyError(f"no option {key!r} in section {section!r}", None, self.source) from None

    def _section(self, section):
        if section == DEFAULT_SECTION:
            return self._defaults
        try:
            return self._sections[section]
        except KeyError:
            raise MissingKeyError(f"no section {section!r}", None, self.source) from None

    # -- values ------------------------------------------------------------

    def get(self, section, key, fallback=_MISSING, raw=False):
        """Return the string value of ``key`` in ``section``."""
        values = self._section(section)
        key = key.lower()
        if key in values:
            value = values[key]
        elif key in self._defaults:
            value = self._defaults[key]
        elif fallback is not _MISSING:
            return fallback
        else:
            raise MissingKeyError(f"no option {key!r} in section {section!r}", None, self.source)
        if raw:
            return value
        return self._interpolate(section, key, value, 1)

    def _convert(self, section, key, fallback, kind, convert):
        value = self.get(section, key, fallback=_MISSING if fallback is _MISSING else None)
        if value is None and fallback is not _MISSING:
            return fallback
        try:
            return convert(value)
        except ValueError:
            lineno = self._lines.get((section, key.lower()))
            raise ParseError(f"option {key!r} is not a valid {kind}: {value!r}", lineno, self.source) from None

    def get_int(self, section, key, fallback=_MISSING):
        return self._convert(section, key, fallback, "integer", lambda v: int(v.replace("_", ""), 0))

    def get_float(self, section, key, fallback=_MISSING):
        return self._convert(section, key, fallback, "number", float)

    def get_bool(self, section, key, fallback=_MISSING):
        def convert(value):
            try:
                return _BOOLEANS[value.strip().lower()]
            except KeyError:
                raise ValueError(value) from None

        return self._convert(section, key, fallback, "boolean", convert)

    def get_list(self, section, key, fallback=_MISSING, sep=","):
        """Split a value on ``sep`` (and newlines); empty items are dropped."""
        def convert(value):
            items = []
            for line in value.split("\n"):
                items.extend(part.strip() for part in line.split(sep))
            return [item for item in items if item]

        return self._convert(section, key, fallback, "list", convert)

    def items(self, section):
        return [(key, self.get(section, key)) for key in self.options(section)]

    def as_dict(self):
        return {name: dict(self.items(name)) for name in self._sections}

    def _interpolate(self, section, key, value, depth):
        if depth > MAX_INTERPOLATION_DEPTH:
            raise InterpolationError(
                f"interpolation of {section}:{key} is nested too deeply (recursive reference?)",
                self._lines.get((section, key)), self.source)

        def replace(match):
            if match.group(1) == "$":
                return "$"
            ref = match.group(2).strip()
            ref_section, _, ref_key = ref.rpartition(":")
            ref_section = ref_section or section
            ref_key = ref_key.lower()
            try:
                target = self.get(ref_section, ref_key, raw=True)
            except MissingKeyError:
                raise InterpolationError(
                    f"bad reference ${{{ref}}} in {section}:{key}",
                    self._lines.get((section, key)), self.source) from None
            return self._interpolate(ref_section, ref_key, target, depth + 1)

        return _REFERENCE_RE.sub(replace, value)

    # -- building ----------------------------------------------------------

    def _store(self, section, key, entry):
        values = self._section(section)
        if key in values:
            first = self._lines[(section, key)]
            raise DuplicateKeyError(
                f"duplicate option {key!r} in section {section!r} (first defined on line {first})",
                entry.lineno, self.source)
        values[key] = entry.value(self.source)
        self._lines[(section, key)] = entry.lineno


def _parse_lines(lines, config):
    source = config.source
    section = None
    pending = None  # (key, _Entry) of the option being read

    def flush():
        if pending is not None:
            config._store(section, pending[0], pending[1])

    for lineno, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if line[0] in " \t":
            if pending is None:
                raise ParseError("unexpected indentation", lineno, source)
            pending[1].lines.append(_strip_inline_comment(stripped))
            continue
        flush()
        pending = None
        match = _SECTION_RE.match(stripped)
        if match:
            name = match["name"].strip()
            if not name:
                raise ParseError("empty section name", lineno, source)
            if name != DEFAULT_SECTION and name in config._sections:
                raise ParseError(f"duplicate section {name!r}", lineno, source)
            if name != DEFAULT_SECTION:
                config._sections[name] = {}
            section = name
            continue
        match = _OPTION_RE.match(stripped)
        if match is None:
            raise ParseError(f"cannot parse line: {stripped!r}", lineno, source)
        if section is None:
            raise ParseError("option outside of any section", lineno, source)
        value = _strip_inline_comment(match["value"])
        pending = (match["key"].lower(), _Entry(value, lineno))
    flush()
    return config


def loads(text, source="<string>"):
    """Parse configuration text."""
    return _parse_lines(text.splitlines(), Config(source))


def load(path, encoding="utf-8"):
    """Parse the configuration file at ``path``."""
    with open(path, encoding=encoding) as fh:
        return _parse_lines(fh, Config(str(path)))
