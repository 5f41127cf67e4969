package explain

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
)

// Located is a linter finding with the place its path names in the file.
type Located struct {
	policy.Finding
	Position
	// Malformed marks the finding of a document that does not parse.
	Malformed bool `json:"malformed,omitempty"`
}

// FileReport is what the linter found in one document.
type FileReport struct {
	File     string    `json:"file"`
	Findings []Located `json:"findings"`
}

// LintDocument parses doc as a policy of kind and lints it with policy.Lint. A document that
// does not parse is reported as one Error finding at the place the parser names, so that a
// broken file fails a pre-merge check like any other error.
func LintDocument(file string, doc []byte, kind policy.Kind, o policy.LintOptions) FileReport {
	r := FileReport{File: file, Findings: []Located{}}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		var pe *policy.ParseError
		f := policy.Finding{Severity: policy.Error, Message: "not a valid " + kind.String() + ": " + err.Error(),
			Fix: "correct the document: AWS refuses it with MalformedPolicyDocument"}
		if errors.As(err, &pe) {
			f.Path, f.Message = pe.Path, "not a valid "+kind.String()+": "+pe.Msg
		}
		r.Findings = append(r.Findings, Located{Finding: f, Position: Locate(doc, f.Path), Malformed: true})
		return r
	}
	for _, f := range policy.Lint(p, o) {
		r.Findings = append(r.Findings, Located{Finding: f, Position: Locate(doc, f.Path)})
	}
	return r
}

// LintFiles lints, with LintDocument, every file named and every *.json file below every
// directory named (those in lexical order). A file that cannot be read is an error: the
// lint did not run.
func LintFiles(paths []string, kind policy.Kind, o policy.LintOptions) ([]FileReport, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
				found = append(found, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	reports := make([]FileReport, 0, len(files))
	for _, file := range files {
		doc, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		reports = append(reports, LintDocument(file, doc, kind, o))
	}
	return reports, nil
}

// Counts is how many findings of each severity a lint run produced.
type Counts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

// Count adds up the findings of reports by severity.
func Count(reports []FileReport) Counts {
	var c Counts
	for _, r := range reports {
		for _, f := range r.Findings {
			switch f.Severity {
			case policy.Error:
				c.Errors++
			case policy.Warning:
				c.Warnings++
			default:
				c.Infos++
			}
		}
	}
	return c
}

// Exit statuses of `inkan policy lint`.
const (
	// StatusClean: no finding at or above the --fail-on severity (and no error).
	StatusClean = 0
	// StatusFailOn: findings at or above --fail-on (warning or info), none of them errors.
	StatusFailOn = 1
	// StatusErrors: at least one error finding (a document that does not parse is one).
	StatusErrors = 2
	// StatusNotRun: the lint could not run: a bad command line or an unreadable file.
	StatusNotRun = 3
)

// Status is the exit status for reports when findings of severity failOn or above fail the
// run: StatusErrors when any finding is an Error, whatever failOn; StatusFailOn when a
// finding reaches failOn; StatusClean otherwise.
func Status(reports []FileReport, failOn policy.Severity) int {
	worst := -1
	for _, r := range reports {
		for _, f := range r.Findings {
			worst = max(worst, int(f.Severity))
		}
	}
	switch {
	case worst == int(policy.Error):
		return StatusErrors
	case worst >= 0 && worst >= int(failOn):
		return StatusFailOn
	}
	return StatusClean
}

// WriteFindingsText prints one line per finding in the form compilers use, so editors and
// CI logs link to the place, then the suggested fix, then a summary line:
//
//	trust.json:7:9: error: Statement[0].Condition…: message
//	    fix: …
func WriteFindingsText(out io.Writer, reports []FileReport) error {
	w := &writer{w: out}
	files := 0
	for _, r := range reports {
		files++
		for _, f := range r.Findings {
			w.printf("%s: %s: %s\n", placeOf(r.File, f.Position), f.Severity, pathAndMessage(f.Finding))
			if f.Fix != "" {
				w.printf("    fix: %s\n", f.Fix)
			}
		}
	}
	c := Count(reports)
	w.printf("%d %s checked: %d %s, %d %s, %d info\n", files, plural(files, "file", "files"),
		c.Errors, plural(c.Errors, "error", "errors"), c.Warnings, plural(c.Warnings, "warning", "warnings"), c.Infos)
	return w.err
}

func placeOf(file string, p Position) string {
	if p.Line == 0 {
		return file
	}
	return file + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

func pathAndMessage(f policy.Finding) string {
	if f.Path == "" {
		return f.Message
	}
	return f.Path + ": " + f.Message
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteFindingsJSON prints the reports and their counts as one JSON object:
// {"files": [{"file", "findings": [{"severity", "path", "message", "fix", "line", "column"}]}],
// "counts": {"errors", "warnings", "infos"}}.
func WriteFindingsJSON(out io.Writer, reports []FileReport) error {
	if reports == nil {
		reports = []FileReport{}
	}
	return WriteJSON(out, struct {
		Files  []FileReport `json:"files"`
		Counts Counts       `json:"counts"`
	}{reports, Count(reports)})
}
