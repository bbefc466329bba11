import unittest

from taskq import Job, JobFailed, JobQueue


class QueueTests(unittest.TestCase):
    def test_priority_order(self):
        q = JobQueue()
        q.submit(Job("low", tags=[], priority=0))
        q.submit(Job("high", tags=[], priority=5))
        self.assertEqual(q.pop().name, "high")
        self.assertEqual(len(q), 1)

    def test_fifo_within_priority(self):
        q = JobQueue()
        for name in ("a", "b", "c"):
            q.submit(Job(name, tags=[]))
        self.assertEqual([q.pop().name for _ in range(3)], ["a", "b", "c"])

    def test_failed_job_is_retried_then_buried(self):
        q = JobQueue()
        q.submit(Job("flaky", tags=[], max_attempts=2))

        def handler(job):
            raise JobFailed("boom")

        q.run_next(handler)
        self.assertEqual(len(q), 1)
        q.run_next(handler)
        self.assertEqual(len(q), 0)
        self.assertEqual([j.name for j in q.dead], ["flaky"])

    def test_by_tag_only_returns_tagged_jobs(self):
        q = JobQueue()
        q.submit(Job("fetch-1").tag("net"))
        q.submit(Job("parse-1"))
        q.submit(Job("fetch-2").tag("net"))
        self.assertEqual([j.name for j in q.by_tag("net")], ["fetch-1", "fetch-2"])


if __name__ == "__main__":
    unittest.main()
