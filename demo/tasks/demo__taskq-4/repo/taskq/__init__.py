from .jobs import Job, JobFailed
from .queue import JobQueue

__all__ = ["Job", "JobFailed", "JobQueue"]
