import unittest
from datetime import datetime, timedelta, timezone

from eventlog import Event, bucket_start, isoformat_z, parse_timestamp, to_utc

CET = timezone(timedelta(hours=1))
IST = timezone(timedelta(hours=5, minutes=30))
PDT = timezone(timedelta(hours=-7))


class ParseTests(unittest.TestCase):
    def test_z_suffix(self):
        self.assertEqual(parse_timestamp("2024-03-10T09:30:00Z"),
                         datetime(2024, 3, 10, 9, 30, tzinfo=timezone.utc))

    def test_naive_is_utc(self):
        self.assertEqual(parse_timestamp("2024-03-10 09:30").tzinfo, timezone.utc)

    def test_rejects_garbage(self):
        with self.assertRaises(ValueError):
            parse_timestamp("yesterday")

    def test_positive_offset(self):
        self.assertEqual(isoformat_z(parse_timestamp("2024-03-10T09:30:00+02:00")),
                         "2024-03-10T07:30:00Z")

    def test_negative_offset_crosses_midnight(self):
        self.assertEqual(isoformat_z(parse_timestamp("2024-03-10T20:15:00-07:00")),
                         "2024-03-11T03:15:00Z")


class ToUtcTests(unittest.TestCase):
    def test_utc_unchanged(self):
        dt = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
        self.assertEqual(to_utc(dt), dt)

    def test_converts_offset(self):
        self.assertEqual(to_utc(datetime(2024, 1, 1, 12, tzinfo=IST)),
                         datetime(2024, 1, 1, 6, 30, tzinfo=timezone.utc))

    def test_same_instant(self):
        dt = datetime(2024, 6, 1, 8, 0, tzinfo=PDT)
        self.assertEqual(to_utc(dt).timestamp(), dt.timestamp())


class FormatTests(unittest.TestCase):
    def test_isoformat_z(self):
        self.assertEqual(isoformat_z(datetime(2024, 2, 29, 23, 59, 59)), "2024-02-29T23:59:59Z")

    def test_bucket_floor(self):
        dt = datetime(2024, 5, 5, 10, 7, 31, tzinfo=timezone.utc)
        self.assertEqual(bucket_start(dt, 5), datetime(2024, 5, 5, 10, 5, tzinfo=timezone.utc))

    def test_bucket_rejects_uneven_width(self):
        with self.assertRaises(ValueError):
            bucket_start(datetime(2024, 1, 1), 7)

    def test_bucket_uses_utc_wall_clock(self):
        dt = datetime(2024, 5, 5, 0, 20, tzinfo=CET)
        self.assertEqual(bucket_start(dt, 60), datetime(2024, 5, 4, 23, 0, tzinfo=timezone.utc))

    def test_event_roundtrip_keeps_instant(self):
        event = Event("login", datetime(2024, 7, 1, 9, 0, tzinfo=CET), actor="ada")
        again = Event.from_json(event.to_json())
        self.assertEqual(again.at, datetime(2024, 7, 1, 8, 0, tzinfo=timezone.utc))
        self.assertIn('"at": "2024-07-01T08:00:00Z"', event.to_json())


if __name__ == "__main__":
    unittest.main()
