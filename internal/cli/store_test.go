package cli

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

func TestAPasswordFileIsReadOnceWithoutItsNewlineAndRefusedIfEveryoneMayReadIt(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got, err := readPasswordFile(write("ok", "s3cret pass\n", 0o640)); err != nil || got != "s3cret pass" {
		t.Fatalf("readPasswordFile = %q, %v; want the password without its newline", got, err)
	}
	for name, c := range map[string]struct {
		text string
		mode os.FileMode
		want string
	}{
		"world-readable": {"s3cret\n", 0o644, "every user may read it"},
		"empty":          {"\n", 0o600, "empty"},
		"too long":       {strings.Repeat("x", maxPasswordBytes+1), 0o600, "not a password"},
	} {
		_, err := readPasswordFile(write(name, c.text, c.mode))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: readPasswordFile = %v, want a refusal with %q and without the password", name, err, c.want)
		}
	}
}

func TestAPostgresStoreIsLoggedWithoutItsPasswordAndWarnsThatObjectsAreLocal(t *testing.T) {
	c := pgtest.Shared(t)
	url := c.DatabaseFor(t, t.Name())
	pwfile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwfile, []byte(c.Password()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Store = strings.Replace(url, ":"+c.Password()+"@", "@", 1)
	cfg.StorePasswordFile = pwfile
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := openStore(context.Background(), cfg, logger)
	if err != nil {
		t.Fatalf("openStore with the password in a file: %v", err)
	}
	st.Close()
	cfg.Store, cfg.StorePasswordFile = strings.Replace(url, c.Password(), "wrong-password", 1), ""
	_, err = openStore(context.Background(), cfg, logger)
	if err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("openStore with a wrong password = %v, want an authentication failure", err)
	}
	all := logs.String() + err.Error()
	for _, secret := range []string{c.Password(), "wrong-password"} {
		if strings.Contains(all, secret) {
			t.Errorf("the log or the error carries the password %q:\n%s", secret, all)
		}
	}
	for _, want := range []string{"postgres://postgres@127.0.0.1", "OBJECTS ARE LOCAL TO THIS NODE", "not visible on other nodes", "docs/upstream.md"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
}
