// Package archtest keeps the dependency rules of docs/architecture.md true.
package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/inkan-dev/inkan/"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	return pkgs
}

func isStd(dep string) bool { return !strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") }

func TestLeavesImportOnlyTheStandardLibrary(t *testing.T) {
	pkgs := listPackages(t)
	for _, leaf := range []string{"internal/arn", "internal/policy/condition", "internal/sigv4", "internal/checksum", "internal/session", "internal/reqid"} {
		p, ok := pkgs[leaf]
		if !ok {
			t.Errorf("%s is missing", leaf)
			continue
		}
		for _, d := range p.Deps {
			if !isStd(d) {
				t.Errorf("%s depends on %s; leaves import only the standard library", leaf, d)
			}
		}
	}
}

// md5lanes is a leaf too, but it asks the CPU what it has through x/sys.
func TestMD5LanesImportsOnlyTheStandardLibraryAndCPUFeatures(t *testing.T) {
	p, ok := listPackages(t)["internal/md5lanes"]
	if !ok {
		t.Fatal("internal/md5lanes is missing")
	}
	for _, d := range p.Deps {
		if !isStd(d) && d != "golang.org/x/sys/cpu" {
			t.Errorf("internal/md5lanes depends on %s", d)
		}
	}
}

func TestTheClientImportsOnlyTheStandardLibrarySigV4AndTheAuditRecord(t *testing.T) {
	for _, d := range listPackages(t)["internal/awsclient"].Deps {
		if !isStd(d) && d != module+"internal/sigv4" && d != module+"internal/audit" {
			t.Errorf("internal/awsclient depends on %s", d)
		}
	}
}

func TestTheDomainNeverImportsWireOrServerPackages(t *testing.T) {
	pkgs := listPackages(t)
	forbidden := []string{module + "internal/sts", module + "internal/iamapi", module + "internal/s3", module + "internal/server", module + "internal/cli", "net/http/httptest"}
	for _, dom := range []string{"internal/iam", "internal/policy", "internal/oidc", "internal/store", "internal/objstore", "internal/session"} {
		for _, d := range pkgs[dom].Deps {
			for _, f := range forbidden {
				if d == f {
					t.Errorf("%s depends on %s", dom, d)
				}
			}
		}
	}
	// The domain may reach net/http only through the oidc client, never by itself.
	for _, pure := range []string{"internal/iam", "internal/policy", "internal/store", "internal/session"} {
		for _, d := range pkgs[pure].Imports {
			if d == "net/http" {
				t.Errorf("%s imports net/http; it must not know about HTTP", pure)
			}
		}
	}
	for _, d := range pkgs["internal/policy"].Deps {
		if d == "net/http" {
			t.Errorf("internal/policy depends on net/http")
		}
	}
}

func TestWirePackagesDoNotImportEachOther(t *testing.T) {
	pkgs := listPackages(t)
	wire := []string{"internal/sts", "internal/iamapi", "internal/s3", "internal/console"}
	for _, a := range wire {
		for _, b := range wire {
			if a == b {
				continue
			}
			for _, d := range pkgs[a].Deps {
				if d == module+b {
					t.Errorf("%s depends on %s", a, b)
				}
			}
		}
	}
}

func TestTheConsoleNeverOpensTheStore(t *testing.T) {
	for _, d := range listPackages(t)["internal/console"].Deps {
		if d == module+"internal/store/sqlstore" || d == "database/sql" || d == module+"internal/server" {
			t.Errorf("internal/console depends on %s; it reads through the domain and the decision log", d)
		}
	}
}

func TestOnlyTheCommandImportsTheCompositionRoot(t *testing.T) {
	for name, p := range listPackages(t) {
		// inkantest starts the real server for end-to-end tests; only tests import it.
		if name == "cmd/inkan" || strings.HasPrefix(name, "internal/cli") || strings.HasPrefix(name, "bench/") ||
			name == "internal/testsupport/inkantest" {
			continue
		}
		for _, d := range p.Deps {
			if d == module+"internal/cli" {
				t.Errorf("%s imports internal/cli", name)
			}
		}
	}
}
