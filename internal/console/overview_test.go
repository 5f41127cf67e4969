package console

import (
	"net/http"
	"strings"
	"testing"
)

type fixedCounts struct{ exchanges, denials, errors int }

func (c fixedCounts) DecisionsLastHour() (int, int, int) { return c.exchanges, c.denials, c.errors }

// The overview's figures for the last hour are the node's own counters when it has them,
// and say so.
func TestTheOverviewShowsTheNodesCounters(t *testing.T) {
	f := newFixture(t)
	f.c.o.Counts = fixedCounts{exchanges: 4217, denials: 96, errors: 3}
	f.signIn(t, testSecret)
	w := f.do(http.MethodGet, "/console/", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("overview: %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`<span class="big">4217</span> exchanges in the last hour`,
		`<span class="big">96</span> denials in the last hour`,
		`<span class="big">3</span> errors in the last hour`,
		`as this node counted them`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
}
