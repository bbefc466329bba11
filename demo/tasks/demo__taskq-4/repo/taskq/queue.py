"""A priority queue of jobs with FIFO order inside one priority."""

import heapq
import itertools

from .jobs import JobFailed


class JobQueue:
    def __init__(self):
        self._heap = []
        self._seq = itertools.count()
        self.dead = []

    def __len__(self):
        return len(self._heap)

    def submit(self, job):
        # Higher priority first; the sequence number keeps FIFO order for ties.
        heapq.heappush(self._heap, (-job.priority, next(self._seq), job))
        return job

    def pop(self):
        if not self._heap:
            raise IndexError("pop from an empty JobQueue")
        return heapq.heappop(self._heap)[2]

    def by_tag(self, label):
        """Queued jobs carrying ``label``, in the order they will run."""
        return [job for _, _, job in sorted(self._heap) if job.has_tag(label)]

    def run_next(self, handler):
        """Run the next job with ``handler``; requeue or bury it on JobFailed."""
        job = self.pop()
        try:
            return handler(job)
        except JobFailed as exc:
            if job.record_failure(exc):
                self.submit(job)
            else:
                self.dead.append(job)
            return None
