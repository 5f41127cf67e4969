package explain

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/policy"
)

var lintFiles = []string{"seed.json", "unsafe.json", "broken.json", "noprincipal.json"}

// lintTestdata lints the files of testdata/lint as trust policies, named by relative path.
func lintTestdata(t *testing.T, names ...string) []FileReport {
	t.Helper()
	var out []FileReport
	for _, n := range names {
		path := filepath.Join("testdata", "lint", n)
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, LintDocument(filepath.ToSlash(path), doc, policy.Trust,
			policy.LintOptions{IncludeInfo: true, ClientIDs: map[string][]string{ghPrefix: {"sts.amazonaws.com"}}}))
	}
	return out
}

func TestLintFindingsPointAtTheirLineAndColumn(t *testing.T) {
	reports := lintTestdata(t, lintFiles...)
	// Counted by hand in the files: the member name (or array element) the path names.
	want := map[string][]Position{
		"seed.json":        {{9, 22}},                                          // name-based sub (info)
		"unsafe.json":      {{11, 68}, {11, 87}, {22, 11}, {24, 39}, {22, 11}}, // sub[0] info, sub[1] "repo:*", literal '*', ForAllValues, name-based
		"broken.json":      {{3, 79}},                                          // the second comma
		"noprincipal.json": {{3, 3}},                                           // "Statement"
	}
	for _, r := range reports {
		got := []Position{}
		for _, f := range r.Findings {
			got = append(got, f.Position)
		}
		w := want[filepath.Base(r.File)]
		if len(got) != len(w) {
			t.Errorf("%s: %d findings %+v, want %d", r.File, len(got), r.Findings, len(w))
			continue
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s finding %d (%s) at %+v, want %+v", r.File, i, r.Findings[i].Path, got[i], w[i])
			}
		}
	}
}

func TestLintFindingsRenderAsTextJSONAndSARIF(t *testing.T) {
	reports := lintTestdata(t, lintFiles...)
	rendered(t, "lint.txt", func(w io.Writer) error { return WriteFindingsText(w, reports) })
	rendered(t, "lint.json", func(w io.Writer) error { return WriteFindingsJSON(w, reports) })
	rendered(t, "lint.sarif", func(w io.Writer) error { return WriteFindingsSARIF(w, reports, "test") })
}

// TestTheSARIFLogHasTheShapeCodeScanningReads checks the members GitHub code scanning
// requires of a SARIF 2.1.0 upload.
func TestTheSARIFLogHasTheShapeCodeScanningReads(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFindingsSARIF(&b, lintTestdata(t, "unsafe.json", "broken.json"), ""); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name == "" {
		t.Fatalf("log = %+v", log)
	}
	run := log.Runs[0]
	levels := map[string]int{}
	for _, r := range run.Results {
		levels[r.Level]++
		if r.RuleID != run.Tool.Driver.Rules[r.RuleIndex].ID || r.Message.Text == "" || len(r.Locations) != 1 ||
			r.Locations[0].PhysicalLocation.Region.StartLine < 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Fatalf("result %+v", r)
		}
	}
	if levels["error"] != 3 || levels["warning"] != 1 || levels["note"] != 2 {
		t.Fatalf("levels %v", levels)
	}
	if run.Results[len(run.Results)-1].RuleID != "inkan/malformed-policy" {
		t.Fatalf("the broken file is not reported as malformed: %+v", run.Results[len(run.Results)-1])
	}
}

func TestTheExitStatusFollowsTheWorstSeverityAndFailOn(t *testing.T) {
	clean := lintTestdata(t, "seed.json") // one info finding
	warnings := []FileReport{{File: "w", Findings: []Located{{Finding: policy.Finding{Severity: policy.Warning}}}}}
	errs := lintTestdata(t, "seed.json", "unsafe.json")
	cases := []struct {
		name    string
		reports []FileReport
		failOn  policy.Severity
		want    int
	}{
		{"no file", nil, policy.Error, StatusClean},
		{"info only", clean, policy.Error, StatusClean},
		{"info only, failing on warnings", clean, policy.Warning, StatusClean},
		{"info only, failing on info", clean, policy.Info, StatusFailOn},
		{"warnings", warnings, policy.Error, StatusClean},
		{"warnings, failing on warnings", warnings, policy.Warning, StatusFailOn},
		{"errors", errs, policy.Error, StatusErrors},
		{"errors, failing on info", errs, policy.Info, StatusErrors},
		{"a broken file", lintTestdata(t, "broken.json"), policy.Error, StatusErrors},
	}
	for _, c := range cases {
		if got := Status(c.reports, c.failOn); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
}

func TestLocateFallsBackToTheNearestEnclosingElement(t *testing.T) {
	doc := []byte("{\"Statement\": [\n  {\"Effect\": \"Allow\",\n   \"Condition\": {\"StringLike\": {\"a.b:sub\": [\"x\", \"y\"]}}}]}")
	cases := []struct {
		path string
		want Position
	}{
		{"Statement[0].Condition.StringLike.a.b:sub[1]", Position{3, 50}},
		{"Statement[0].Condition.StringLike.a.b:sub", Position{3, 33}},
		{"Statement[0].Condition.stringlike.A.B:SUB", Position{3, 33}},
		{"Statement[0].Condition.Null", Position{3, 4}},
		{"Statement[0].Principal", Position{2, 3}},
		{"Statement[3]", Position{1, 2}},
		{"", Position{}},
	}
	for _, c := range cases {
		if got := Locate(doc, c.path); got != c.want {
			t.Errorf("%q at %+v, want %+v", c.path, got, c.want)
		}
	}
	if got := Locate([]byte("{\"a\": 1,\n \"b\": ]"), "b"); got.Line != 2 {
		t.Errorf("a broken document: %+v, want line 2", got)
	}
	if got := Locate([]byte("{\"a\": \"\U0001F600\", \"b\": 1}"), "b"); got != (Position{1, 13}) {
		t.Errorf("columns count UTF-16 units: %+v", got)
	}
}

func TestLocateStopsAtADeeplyNestedDocument(t *testing.T) {
	doc := []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))
	if got := Locate(doc, "[0][0]"); got != (Position{1, 3}) {
		t.Fatalf("position %+v", got)
	}
}

func TestLintFilesWalksDirectoriesInOrderAndFailsOnAnUnreadableFile(t *testing.T) {
	reports, err := LintFiles([]string{filepath.Join("testdata", "lint"), filepath.Join("testdata", "lint", "seed.json")}, policy.Trust, policy.LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reports {
		names = append(names, filepath.Base(r.File))
	}
	if strings.Join(names, " ") != "broken.json noprincipal.json seed.json unsafe.json seed.json" {
		t.Fatalf("files %v", names)
	}
	if _, err := LintFiles([]string{filepath.Join("testdata", "none.json")}, policy.Trust, policy.LintOptions{}); err == nil {
		t.Fatal("a missing file was not an error")
	}
}
