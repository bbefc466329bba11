package sweep

import (
	"strings"
	"testing"
)

func TestParseBudgetUSD(t *testing.T) {
	base := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n"
	for _, tc := range []struct {
		src  string
		want float64
	}{
		{base, 0},
		{base + "budget_usd: 12.5\n", 12.5},
		{base + "budget_usd: 3\n", 3},
	} {
		s, err := Parse("b.yaml", []byte(tc.src))
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		if s.BudgetUSD != tc.want {
			t.Errorf("%q: BudgetUSD = %v, want %v", tc.src, s.BudgetUSD, tc.want)
		}
	}
	for _, tc := range []struct{ val, msg string }{
		{"0", "must be a positive number"},
		{"-1.5", "must be a positive number"},
		{".nan", "must be a positive number"},
		{".inf", "must be a positive number"},
		{"ten", "must be a number"},
		{"[1]", "must be a number"},
	} {
		_, err := Parse("b.yaml", []byte(base+"budget_usd: "+tc.val+"\n"))
		if err == nil {
			t.Errorf("budget_usd: %s: no error", tc.val)
			continue
		}
		if want := "b.yaml:5:13: budget_usd: " + tc.msg; !strings.Contains(err.Error(), want) {
			t.Errorf("budget_usd: %s: error %q, want it to contain %q", tc.val, err, want)
		}
	}
}
