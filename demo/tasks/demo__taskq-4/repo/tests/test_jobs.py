import unittest

from taskq import Job


class JobTests(unittest.TestCase):
    def test_requires_name(self):
        with self.assertRaises(ValueError):
            Job("")

    def test_explicit_tags_kept(self):
        job = Job("fetch", tags=["net"])
        self.assertEqual(job.tags, ["net"])
        self.assertTrue(job.has_tag("net"))

    def test_tag_deduplicates(self):
        job = Job("parse", tags=["cpu"]).tag("cpu", "slow", "slow")
        self.assertEqual(job.tags, ["cpu", "slow"])

    def test_payload_is_copied(self):
        payload = {"url": "https://example.org"}
        job = Job("fetch", payload=payload)
        job.payload["url"] = "changed"
        self.assertEqual(payload["url"], "https://example.org")

    def test_retry_bookkeeping(self):
        job = Job("store", tags=["db"], max_attempts=2)
        self.assertTrue(job.record_failure(RuntimeError("locked")))
        self.assertFalse(job.record_failure(RuntimeError("locked")))
        self.assertEqual(job.last_error, "locked")

    def test_default_tags_not_shared(self):
        first = Job("fetch").tag("urgent")
        second = Job("parse")
        self.assertEqual(first.tags, ["urgent"])
        self.assertEqual(second.tags, [])
        self.assertFalse(second.has_tag("urgent"))


if __name__ == "__main__":
    unittest.main()
