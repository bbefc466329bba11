from .record import Event
from .timeutil import bucket_start, isoformat_z, parse_timestamp, to_utc

__all__ = ["Event", "bucket_start", "isoformat_z", "parse_timestamp", "to_utc"]
