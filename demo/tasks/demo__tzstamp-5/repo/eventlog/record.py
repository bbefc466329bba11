"""The Event record written to the audit log."""

import json

from .timeutil import isoformat_z, parse_timestamp, to_utc


class Event:
    def __init__(self, kind, at, actor=None, data=None):
        self.kind = kind
        self.at = to_utc(at)
        self.actor = actor
        self.data = dict(data or {})

    def to_json(self):
        return json.dumps(
            {"kind": self.kind, "at": isoformat_z(self.at), "actor": self.actor, "data": self.data},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text):
        raw = json.loads(text)
        return cls(raw["kind"], parse_timestamp(raw["at"]), raw.get("actor"), raw.get("data"))
