// Package strategy implements the four context-management strategies of the
// seed system ("The Complexity Trap", seed-system §2), plus our
// prompt-cache-aware masking, as pure functions of the raw history and the
// summaries made so far. It does no I/O.
//
// Strategies:
//
//   - raw: the model sees the history unchanged.
//   - observation_masking (last_n_observations, o = ObsN): every observation
//     item (the instance message and each environment output) except the
//     instance message and the last o observations is replaced by
//     "Old environment output: (<N> lines omitted)", N being the Python
//     splitlines count of the original content. Assistant items stay intact.
//     With Polling p the masked prefix only advances every p observations.
//     Items tagged keep_output are never masked; items tagged remove_output
//     always are.
//   - llm_summary (summarize_every_n_turns, s = SumN, k = SumKeepM): once s+k
//     turns are not yet covered by a summary, the oldest s of them are
//     condensed by a summary LLM call into one "Checkpoint for the last s
//     turns:" item. The view is system + instance + summaries + the
//     uncovered turns (assistant/tool pairs only). The first request is built
//     from the instance message, later ones from the previous summary.
//   - hybrid: llm_summary first, then masking on its output; the summarizer
//     always reads full observations.
//   - observation_masking_cached (ours, not in the seed; run-name
//     abbreviation "obsc"): observation_masking whose mask moves in blocks,
//     so that the prompt of one query is a prefix of the next one's (and a
//     provider's prefix cache serves it) on all but one query in o. Same
//     placeholder, tags and never-masked instance message as
//     observation_masking; its only hyper-parameter is o = ObsN (Polling is
//     ignored). Rule, with nObs observation entries (instance included) and
//     h = ceil(o/2) (0 for o = 1): nothing is masked while
//     observation_masking masks nothing (nObs < o+2); from then on the
//     entries at positions 1 … cut-1 are masked, with
//     cut = 2 + h + o*floor((nObs-o-2)/o). So the mask starts h entries
//     ahead of observation_masking's, then stays put for o queries and
//     jumps o entries at once: the newest floor(o/2) … floor(o/2)+o-1
//     observations are shown in full (o-0.5 on average for even o, o-1 for
//     odd o). Summed over the queries of any trajectory it shows no more
//     full observations than observation_masking with the same o; with
//     o = 1 it is identical. Under the seed's prefix-cache simulation
//     (§5.4) a query's prompt is then the previous prompt plus reply plus
//     the new observation on o-1 queries in o (go run ./bench/cachesim).
//     With automatic prefix caching (OpenAI, Gemini, DeepSeek) that
//     mostly cuts uncached tokens (observation_masking already reuses the
//     prefix up to its newly masked observation); with Anthropic's explicit
//     cache (presets with cache_marks) observation_masking reuses almost
//     nothing once masking starts, since every earlier cache entry holds a
//     now-masked observation, while this strategy reuses the previous
//     prompt on o-1 queries in o.
//
// Defaults (the paper's configs): o=10, s=21, k=10, polling 1, static
// checkpointing on, no action extraction, no length limits, no omission.
// With these values summaries are triggered after 31, 52, 73, … completed
// turns.
//
// Usage: after every appended step call SummaryDue; if it returns a plan,
// make the request (unless plan.NeedsCall() is false), store
// plan.Finish(text) (or plan.Skipped() when the call limit is reached) in
// order, then call View to get the next query's messages.
//
// Seed compatibility: with static checkpointing the seed shows only the newest
// summary on the query right after it was made, but from the next query on
// it shows all summaries made so far (S1 S2 …) until the next trigger (seed
// quirk §13.1). Params.SeedCompat = true (the default) reproduces this, as the
// paper's numbers were produced with it; false shows only the newest summary
// on every query.
package strategy
