package llm

import "github.com/ctxresearch/ctxsweep/agent"

// CountText estimates the tokens of a text: about four bytes a token, the
// usual rule of thumb for English and code with BPE tokenizers. Providers
// that report usage override this estimate.
func CountText(s string) int {
	if s == "" {
		return 0
	}
	return (len(s) + 3) / 4
}

// CountMessages estimates the prompt tokens of a message list, with a small
// per-message overhead for role and framing.
func CountMessages(msgs []agent.Message) int {
	n := 0
	for _, m := range msgs {
		n += 4 + CountText(m.Content)
		for _, c := range m.ToolCalls {
			n += CountText(c.Name) + CountText(c.Arguments)
		}
	}
	return n
}

// CachedPrefix simulates a provider prefix cache as the seed does: the
// tokens of the longest run of leading messages equal (role and content) to
// the previous call's messages followed by its reply.
func CachedPrefix(prev, cur []agent.Message) int {
	n := 0
	for i := 0; i < len(prev) && i < len(cur); i++ {
		if prev[i].Role != cur[i].Role || prev[i].Content != cur[i].Content {
			break
		}
		n += CountMessages(cur[i : i+1])
	}
	return n
}
