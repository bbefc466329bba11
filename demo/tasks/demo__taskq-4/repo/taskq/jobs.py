"""Job objects handled by :class:`taskq.queue.JobQueue`."""

import itertools

_ids = itertools.count(1)


class JobFailed(Exception):
    """Raised by a job callable to request a retry."""


class Job:
    """A unit of work: a name, a payload and some scheduling metadata."""

    def __init__(self, name, payload=None, tags=[], priority=0, max_attempts=3):
        if not name:
            raise ValueError("a job needs a name")
        self.id = next(_ids)
        self.name = name
        self.payload = dict(payload or {})
        self.tags = tags
        self.priority = priority
        self.max_attempts = max_attempts
        self.attempts = 0
        self.last_error = None

    def tag(self, *labels):
        """Add labels to the job (duplicates are ignored); returns the job."""
        for label in labels:
            if label not in self.tags:
                self.tags.append(label)
        return self

    def has_tag(self, label):
        return label in self.tags

    def record_failure(self, error):
        """Note a failed attempt; returns True if the job may run again."""
        self.attempts += 1
        self.last_error = str(error)
        return self.attempts < self.max_attempts

    def __repr__(self):
        return f"<Job {self.id} {self.name!r} prio={self.priority} tags={self.tags}>"
