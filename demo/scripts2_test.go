package demo

func init() {
	reproTags := `python3 -c 'from taskq import Job; a = Job("fetch").tag("urgent"); b = Job("parse"); print(a.tags, b.tags, a.tags is b.tags)'`
	scripts["demo__taskq-4"] = []step{
		{"Let me get an overview of the repository.", listFiles},
		{"Jobs and their tags are defined in taskq/jobs.py. Let me read it.", "cat taskq/jobs.py"},
		{"Job.__init__ has a mutable default argument, tags=[], and stores it directly in self.tags; tag() then appends to that shared list. Let me also check how the queue uses tags before changing anything.",
			"cat taskq/queue.py"},
		{"by_tag() just filters on has_tag(), so the queue is only a victim of the shared list. Let me reproduce the issue.", reproTags},
		{"Confirmed: both jobs share the very same list object. Let me run the two tests that cover this behaviour.",
			"python3 -m unittest tests.test_jobs.JobTests.test_default_tags_not_shared tests.test_queue.QueueTests.test_by_tag_only_returns_tagged_jobs"},
		{"Both fail as expected. Before fixing, let me check the package for other mutable default arguments.",
			`grep -rn "=\[\]\|={}" --include=*.py taskq`},
		{"Only tags=[] is affected (payload already defaults to None and is copied). I'll default tags to None and give every job its own list. Copying an explicitly passed list also keeps callers' lists from being mutated by tag().",
			`python3 - <<'EOF'
from pathlib import Path

path = Path("taskq/jobs.py")
src = path.read_text()
src = src.replace("tags=[], priority=0", "tags=None, priority=0", 1)
src = src.replace("        self.tags = tags\n", "        self.tags = list(tags) if tags is not None else []\n", 1)
path.write_text(src)
EOF`},
		{"Let me review the edited constructor.", "sed -n '12,26p' taskq/jobs.py"},
		{"The constructor looks right. Let me re-run the reproduction.", reproTags},
		{"The second job now has its own empty list. Let me run the complete test suite.", "python3 -m unittest -v"},
		{"Everything passes. Let me review the final diff before submitting.", "git diff"},
		{"The diff is minimal and addresses the root cause. Submitting.", submitCommand},
	}

	scripts["demo__tzstamp-5"] = []step{
		{"Let me see how the package is organised.", "ls -R eventlog tests"},
		{"The normalisation happens in eventlog/timeutil.py. Let me read it.", "cat eventlog/timeutil.py"},
		{"to_utc() handles aware datetimes with dt.replace(tzinfo=timezone.utc), which relabels the wall-clock time instead of converting it. Let me run the tests to see which behaviours are affected.",
			"python3 -m unittest tests.test_timeutil 2>&1 | tail -n 30"},
		{"The failures all involve non-UTC offsets. Let me get the exact line numbers of the two replace() calls.",
			`grep -n "replace(tzinfo" eventlog/timeutil.py`},
		{"Line 12 (naive datetimes are assumed to be UTC) is correct. Line 13 handles aware datetimes and must convert with astimezone(). I'll change only that line and print the function.",
			`sed -i '13s/return dt.replace(tzinfo=timezone.utc)/return dt.astimezone(timezone.utc)/' eventlog/timeutil.py && sed -n '6,13p' eventlog/timeutil.py`},
		{"Now the example from the issue, a negative offset, and a Z timestamp.",
			`python3 -c 'from eventlog import parse_timestamp, isoformat_z; print(isoformat_z(parse_timestamp("2024-03-10T09:30:00+02:00"))); print(isoformat_z(parse_timestamp("2024-03-10T20:15:00-07:00"))); print(isoformat_z(parse_timestamp("2024-03-10T09:30:00Z")))'`},
		{"All three are correct now. Let me run the full test suite.", "python3 -m unittest -v"},
		{"All tests pass; submitting.", submitCommand},
	}
}
