package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

func openTestStore(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestGeneratedRootCredentialsAreStoredPrintedOnceAndKept(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openTestStore(t, filepath.Join(dir, "inkan.db"))
	var out, logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	first, err := loadRootCredentials(ctx, st, dir, "", "", &out, logger)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), first.SecretAccessKey) {
		t.Fatalf("the generated secret was not shown: %q", out.String())
	}
	data, _, err := st.GetBlob(ctx, rootCredentialsBlob)
	var stored rootCredentials
	if err != nil || json.Unmarshal(data, &stored) != nil || stored != first {
		t.Fatalf("blob %s: %v", data, err)
	}
	if file, err := readRootCredentials(dir); err != nil || file != first {
		t.Fatalf("the data directory's file: %+v, %v", file, err)
	}
	out.Reset()
	again, err := loadRootCredentials(ctx, st, dir, "", "", &out, logger)
	if err != nil || again != first || out.Len() != 0 {
		t.Fatalf("second start: %+v, %v, printed %q", again, err, out.String())
	}
	if strings.Contains(logs.String(), first.SecretAccessKey) {
		t.Fatal("the secret reached the log")
	}
}

func TestNodesStartingAtOnceAgreeOnOneGeneratedRootAndOnlyTheWinnerPrintsIt(t *testing.T) {
	db := filepath.Join(t.TempDir(), "inkan.db")
	const nodes = 4
	var (
		wg      sync.WaitGroup
		creds   [nodes]rootCredentials
		outs    [nodes]bytes.Buffer
		errs    [nodes]error
		stores  [nodes]*sqlstore.Store
		dataDir [nodes]string
	)
	for i := range nodes {
		stores[i], dataDir[i] = openTestStore(t, db), t.TempDir()
	}
	for i := range nodes {
		wg.Go(func() {
			creds[i], errs[i] = loadRootCredentials(context.Background(), stores[i], dataDir[i], "", "", &outs[i], slog.New(slog.DiscardHandler))
		})
	}
	wg.Wait()
	printed := 0
	for i := range nodes {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		if creds[i] != creds[0] {
			t.Fatalf("node %d uses %s, node 0 %s", i, creds[i].AccessKeyID, creds[0].AccessKeyID)
		}
		if outs[i].Len() > 0 {
			printed++
		}
		_, err := os.Stat(filepath.Join(dataDir[i], rootCredentialsFile))
		if (outs[i].Len() > 0) != (err == nil) {
			t.Errorf("node %d: printed %v but file %v", i, outs[i].Len() > 0, err)
		}
	}
	if printed != 1 {
		t.Fatalf("%d nodes printed the root credentials, want 1", printed)
	}
}

func TestAnExistingDataDirectoryKeepsItsRootCredentialsAndCopiesThemIntoTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old := rootCredentials{AccessKeyID: "AKIAOLDROOT000000000", SecretAccessKey: "old-secret-0000000000000000"}
	data, _ := json.Marshal(old)
	if err := os.WriteFile(filepath.Join(dir, rootCredentialsFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	st := openTestStore(t, filepath.Join(dir, "inkan.db"))
	var out bytes.Buffer
	got, err := loadRootCredentials(ctx, st, dir, "", "", &out, slog.New(slog.DiscardHandler))
	if err != nil || got != old || out.Len() != 0 {
		t.Fatalf("got %+v, %v, printed %q", got, err, out.String())
	}
	if shared, found, err := sharedRootCredentials(ctx, st); !found || err != nil || shared != old {
		t.Fatalf("the store holds %+v (%v, %v)", shared, found, err)
	}
	// Once in the store, the store's are every node's: a differing file is reported, not used.
	other := t.TempDir()
	data, _ = json.Marshal(rootCredentials{AccessKeyID: "AKIAOTHER0000000000", SecretAccessKey: "other-secret-000000000000"})
	os.WriteFile(filepath.Join(other, rootCredentialsFile), data, 0o600)
	var logs bytes.Buffer
	got, err = loadRootCredentials(ctx, st, other, "", "", &out, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || got != old || !strings.Contains(logs.String(), "differ") || strings.Contains(logs.String(), "secret-0") {
		t.Fatalf("got %+v, %v; log %q", got, err, logs.String())
	}
}

func TestRootCredentialsFromTheEnvironmentLeaveTheStoreAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openTestStore(t, filepath.Join(dir, "inkan.db"))
	got, err := loadRootCredentials(ctx, st, dir, "AKIAENVROOT000000000", "env-secret-000000000000", &bytes.Buffer{}, slog.New(slog.DiscardHandler))
	if err != nil || got.AccessKeyID != "AKIAENVROOT000000000" {
		t.Fatal(got, err)
	}
	if _, found, _ := sharedRootCredentials(ctx, st); found {
		t.Fatal("credentials from the environment were stored")
	}
}
