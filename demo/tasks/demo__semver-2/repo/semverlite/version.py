"""Parsing and ordering of semantic version strings."""

import functools
import re

_NUMBER = r"0|[1-9]\d*"
_IDENT = r"[0-9A-Za-z-]+"

VERSION_RE = re.compile(
    rf"^v?(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})\.(?P<patch>{_NUMBER})"
    rf"(?:-(?P<prerelease>{_IDENT}))?"
    rf"(?:\+(?P<build>{_IDENT}(?:\.{_IDENT})*))?$"
)


def _split(part):
    return tuple(part.split(".")) if part else ()


def _prerelease_key(ident):
    # Numeric identifiers sort numerically and before alphanumeric ones.
    if ident.isdigit():
        return (0, int(ident), "")
    return (1, 0, ident)


@functools.total_ordering
class Version:
    """An immutable semantic version."""

    __slots__ = ("major", "minor", "patch", "prerelease", "build")

    def __init__(self, major, minor=0, patch=0, prerelease=(), build=()):
        for name, value in (("major", major), ("minor", minor), ("patch", patch)):
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        object.__setattr__(self, "major", major)
        object.__setattr__(self, "minor", minor)
        object.__setattr__(self, "patch", patch)
        object.__setattr__(self, "prerelease", tuple(prerelease))
        object.__setattr__(self, "build", tuple(build))

    def __setattr__(self, name, value):
        raise AttributeError("Version objects are immutable")

    @classmethod
    def parse(cls, text):
        match = VERSION_RE.match(text.strip())
        if match is None:
            raise ValueError(f"invalid semantic version: {text!r}")
        return cls(
            int(match["major"]),
            int(match["minor"]),
            int(match["patch"]),
            _split(match["prerelease"]),
            _split(match["build"]),
        )

    def _key(self):
        # A release sorts after all of its pre-releases; build metadata is ignored.
        pre = tuple(_prerelease_key(i) for i in self.prerelease)
        return (self.major, self.minor, self.patch, not self.prerelease, pre)

    def __eq__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __hash__(self):
        return hash(self._key())

    def __str__(self):
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def __repr__(self):
        return f"Version({str(self)!r})"

    def bump_major(self):
        return Version(self.major + 1, 0, 0)

    def bump_minor(self):
        return Version(self.major, self.minor + 1, 0)

    def bump_patch(self):
        if self.prerelease:
            return Version(self.major, self.minor, self.patch)
        return Version(self.major, self.minor, self.patch + 1)


def parse(text):
    """Parse ``text`` into a :class:`Version`."""
    return Version.parse(text)
