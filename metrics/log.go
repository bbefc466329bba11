package metrics

// OnCompleted returns the wandb.log payloads due when the last instance of
// done completes: its step rows (global_step and cumulative/* continuing
// from done's earlier instances), then the live aggregate row. It depends on
// done only; nil for no instance.
//
// The seed logged step rows live, interleaved across parallel workers; we
// log an instance's steps together when it completes, so global_step runs
// instance after instance in completion order.
func OnCompleted(done []Instance) []Row {
	if len(done) == 0 {
		return nil
	}
	k := len(done) - 1
	rows, _ := InstanceStepRows(done[k], CumulativeAfter(done[:k]))
	return append(rows, Aggregate(done).Live())
}

// Log is every wandb.log payload of a batch before its end, in order: the
// concatenation of OnCompleted(done[:k]) for k = 1..len(done).
func Log(done []Instance) []Row {
	var out []Row
	var c Cumulative
	for k, in := range done {
		var rows []Row
		rows, c = InstanceStepRows(in, c)
		out = append(out, rows...)
		out = append(out, Aggregate(done[:k+1]).Live())
	}
	return out
}

// Final is what the seed writes at the end of a batch (§7.5–7.6), in its
// order: wandb.summary.update(Summary), then wandb.log({"turn_distribution":
// TurnDistribution.Value()}), then wandb.log({"instances": Instances}).
// TurnDistribution and Instances are nil when no instance completed: the
// seed skips both then.
type Final struct {
	Summary          Row
	TurnDistribution *Histogram
	Instances        *Table
}

// End computes the end-of-batch payloads of the completed instances done.
func End(done []Instance) Final {
	f := Final{Summary: Aggregate(done).Summary()}
	if len(done) > 0 {
		h, t := TurnHistogram(done), InstancesTable(done)
		f.TurnDistribution, f.Instances = &h, &t
	}
	return f
}
