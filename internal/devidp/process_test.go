package devidp

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

// rotateDirEnv asks the test binary, re-run as a child process, to rotate the keys of a
// directory and print the new kid: a stand-in for `inkan idp rotate-keys`.
const rotateDirEnv = "INKAN_DEVIDP_TEST_ROTATE_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(rotateDirEnv); dir != "" {
		// A grace of a century keeps the replaced key published whatever the parent's
		// fake clock says, since the child runs on the real clock.
		keys, err := OpenKeySet(dir, KeySetOptions{Grace: 100 * 365 * 24 * time.Hour})
		if err == nil {
			var info KeyInfo
			if info, err = keys.Rotate(); err == nil {
				fmt.Print(info.KeyID)
				os.Exit(0)
			}
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pgtest.Main(m) // runs the tests, then stops a PostgreSQL cluster they started
}

func TestARunningServerSignsWithAKeyRotatedByAnotherProcess(t *testing.T) {
	srv := startServer(t)
	before, err := srv.issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app"}}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), rotateDirEnv+"="+srv.keys.Dir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rotate in a child process: %v", err)
	}
	newKid := string(out)
	after, err := srv.issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app"}}})
	if err != nil {
		t.Fatal(err)
	}
	if kid := tokenHeader(t, after)["kid"]; kid != newKid || kid == tokenHeader(t, before)["kid"] {
		t.Errorf("after the child rotated to %s the server signs with %v (before: %v)", newKid, kid, tokenHeader(t, before)["kid"])
	}
	verifyToken(t, srv.issuerURL(), before, srv.clock.Now())
	verifyToken(t, srv.issuerURL(), after, srv.clock.Now())
}
