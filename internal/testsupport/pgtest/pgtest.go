package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// shared is the test package's shared cluster, started by the first test that needs it and
// stopped by Main. It is package state on purpose: "one cluster per test binary" is a fact
// about the process, and a TestMain has no other place to find it.
var shared struct {
	mu      sync.Mutex
	cluster *Cluster
	err     error // the failure to start it, reported to every later caller
}

// Main runs the package's tests and then stops and removes the shared cluster, if one was
// started. Call it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	if shared.cluster != nil {
		if err := shared.cluster.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stopping the shared cluster:", err)
		}
		shared.cluster = nil
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// Shared returns the package's shared cluster, starting it on first use. Without PostgreSQL
// it skips tb, or fails it when the CI environment variable is set. Tests must not Stop the
// shared cluster: start one of their own with Start for that.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster == nil && shared.err == nil {
		shared.cluster, shared.err = newCluster()
	}
	if shared.err != nil {
		unavailable(tb, shared.err)
	}
	return shared.cluster
}

// Start starts a cluster of tb's own, removed when tb ends: for tests that Stop and Start
// PostgreSQL. Without PostgreSQL it skips tb, or fails it with CI set.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := newCluster()
	if err != nil {
		unavailable(tb, err)
	}
	tb.Cleanup(func() {
		if err := c.Close(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// Database returns the URL of a new, empty database in the shared cluster.
func Database(tb testing.TB) string {
	tb.Helper()
	return Shared(tb).Database(tb)
}

// Database creates a new, empty database in c and returns its URL.
func (c *Cluster) Database(tb testing.TB) string {
	tb.Helper()
	return c.DatabaseFor(tb, randomHex(8))
}

// DatabaseFor returns the URL of the database named after key (any text: a file path, a test
// name), creating it the first time, so that the same key reaches the same data.
func (c *Cluster) DatabaseFor(tb testing.TB, key string) string {
	tb.Helper()
	sum := sha256.Sum256([]byte(key))
	name := "t_" + hex.EncodeToString(sum[:10])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.CreateDatabase(ctx, name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	return c.URL(name)
}

// unavailable skips tb because PostgreSQL is not installed, or fails it under CI or when an
// installed PostgreSQL fails to start.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, ErrNotInstalled) {
		tb.Fatalf("pgtest: starting PostgreSQL: %v", err)
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("pgtest: PostgreSQL is required with CI set: %v", err)
	}
	tb.Skipf("pgtest: PostgreSQL unavailable, skipping: %v", err)
}
