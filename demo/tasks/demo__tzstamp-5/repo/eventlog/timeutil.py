"""Timestamp helpers. Everything is normalised to aware UTC datetimes."""

from datetime import datetime, timedelta, timezone


def to_utc(dt):
    """Return ``dt`` as an aware datetime in UTC.

    Naive datetimes are taken to be UTC already.
    """
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.replace(tzinfo=timezone.utc)


def parse_timestamp(text):
    """Parse an ISO 8601 timestamp (``Z`` or ``+HH:MM`` offsets allowed)."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}") from None
    return to_utc(dt)


def isoformat_z(dt):
    """Render ``dt`` in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``."""
    return to_utc(dt).isoformat().replace("+00:00", "Z")


def bucket_start(dt, minutes=5):
    """Start of the ``minutes``-wide UTC bucket that contains ``dt``."""
    if minutes <= 0 or 1440 % minutes:
        raise ValueError("minutes must divide a day evenly")
    dt = to_utc(dt)
    midnight = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (dt - midnight) // timedelta(minutes=minutes)
    return midnight + elapsed * timedelta(minutes=minutes)
