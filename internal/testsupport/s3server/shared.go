package s3server

import (
	"os"
	"sync"
	"testing"
)

// shared holds the servers Shared started, one per kind per test binary.
var shared = struct {
	sync.Mutex
	servers map[Kind]*Server
	errs    map[Kind]error
}{servers: map[Kind]*Server{}, errs: map[Kind]error{}}

// Shared returns a server of kind started once per test binary (start-up
// costs seconds), in a temporary directory. The package's TestMain must call
// Main (or StopShared after m.Run). Tests sharing it must keep to names of their own
// (a random bucket prefix each).
func Shared(t testing.TB, kind Kind) *Server {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if s := shared.servers[kind]; s != nil {
		return s
	}
	if err := shared.errs[kind]; err != nil {
		failStart(t, err)
	}
	s, err := startShared(kind)
	if err != nil {
		shared.errs[kind] = err
		failStart(t, err)
	}
	shared.servers[kind] = s
	return s
}

func startShared(kind Kind) (*Server, error) {
	dir, err := tempDir(kind)
	if err != nil {
		return nil, err
	}
	s, err := New(kind, dir)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func failStart(t testing.TB, err error) {
	t.Helper()
	if isMissing(err) {
		Missing(t, err)
	}
	t.Fatal(err)
}

// Main runs a package's tests and then stops the shared servers. Call it from
// TestMain: func TestMain(m *testing.M) { s3server.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// StopShared stops every shared server and removes its directory.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	for kind, s := range shared.servers {
		s.Stop()
		removeDir(s.Dir)
		delete(shared.servers, kind)
	}
}
