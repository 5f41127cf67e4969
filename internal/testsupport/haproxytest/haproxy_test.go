package haproxytest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// node is a fake inkan node: ready or not, and counting the requests it served.
type node struct {
	ready  atomic.Bool
	served atomic.Int32
	srv    *httptest.Server
}

func newNode(t *testing.T) *node {
	n := &node{}
	n.ready.Store(true)
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			if !n.ready.Load() {
				w.WriteHeader(503)
			}
			return
		}
		n.served.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(n.srv.Close)
	return n
}

func TestTheBalancerSpreadsRequestsAndSkipsANodeThatIsNotReady(t *testing.T) {
	a, b := newNode(t), newNode(t)
	p := Start(t, strings.TrimPrefix(a.srv.URL, "http://"), strings.TrimPrefix(b.srv.URL, "http://"))
	if err := p.WaitStates(5*time.Second, "UP", "node1", "node2"); err != nil {
		t.Fatal(err)
	}
	get := func() {
		resp, err := http.Get(p.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	for i := 0; i < 10; i++ {
		get()
	}
	if a.served.Load() == 0 || b.served.Load() == 0 {
		t.Fatalf("round robin: %d and %d", a.served.Load(), b.served.Load())
	}
	b.ready.Store(false)
	if err := p.WaitStates(5*time.Second, "DOWN", "node2"); err != nil {
		t.Fatal(err)
	}
	before := b.served.Load()
	for i := 0; i < 10; i++ {
		get()
	}
	if b.served.Load() != before {
		t.Fatal("a node that is not ready still got requests")
	}
	// A node that dies: its requests go to the other one.
	b.ready.Store(true)
	if err := p.WaitStates(5*time.Second, "UP", "node2"); err != nil {
		t.Fatal(err)
	}
	b.srv.Close()
	for i := 0; i < 10; i++ {
		get()
	}
}

func TestTheDeploymentGuideShowsTheTestedConfiguration(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/deployment.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```haproxy\n")
	block, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("docs/deployment.md has no ```haproxy block")
	}
	if want := Render(Example()); block != want {
		t.Fatalf("docs/deployment.md's HAProxy configuration differs from the one the tests run; replace the block with:\n%s", want)
	}
}
