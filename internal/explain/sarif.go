package explain

import (
	"io"
	"net/url"
	"path/filepath"

	"github.com/inkan-dev/inkan/internal/policy"
)

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), the
// subset code-scanning services read: one run, its tool's rules, and results with a
// physical location (file, line, column) and a logical one (the policy path).
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *sarifRegion `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// The linter's rules as SARIF names them. policy.Finding carries a severity but no rule of
// its own, so a rule is a severity (and a document that does not parse is a rule of its own).
var sarifRules = []struct{ id, level, text string }{
	{"inkan/malformed-policy", "error", "The document is not a valid policy of its kind; AWS refuses it with MalformedPolicyDocument."},
	{"inkan/trust-policy-error", "error", "The trust policy lets in callers its author cannot have meant to trust."},
	{"inkan/trust-policy-warning", "warning", "A condition of the policy is probably a mistake."},
	{"inkan/trust-policy-info", "note", "Advice on the policy."},
}

// sarifRuleIndex is the rule of a finding.
func sarifRuleIndex(f *Located) int {
	switch {
	case f.Malformed:
		return 0
	case f.Severity == policy.Error:
		return 1
	case f.Severity == policy.Warning:
		return 2
	}
	return 3
}

// WriteFindingsSARIF prints the reports as a SARIF 2.1.0 log for code-scanning annotations:
// every finding is a result at its file, line and column, with the policy path as its
// logical location and the suggested fix in its message. toolVersion may be empty.
func WriteFindingsSARIF(out io.Writer, reports []FileReport, toolVersion string) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "inkan policy lint", Version: toolVersion,
		InformationURI: "https://github.com/inkan-dev/inkan"}}, Results: []sarifResult{}}
	for _, r := range sarifRules {
		rule := sarifRule{ID: r.id, ShortDescription: sarifMessage{r.text}}
		rule.DefaultConfiguration.Level = r.level
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
	}
	for _, rep := range reports {
		for i := range rep.Findings {
			run.Results = append(run.Results, sarifResultOf(rep.File, &rep.Findings[i]))
		}
	}
	return WriteJSON(out, sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifResultOf(file string, f *Located) sarifResult {
	i := sarifRuleIndex(f)
	text := pathAndMessage(f.Finding)
	if f.Fix != "" {
		text += " Fix: " + f.Fix
	}
	loc := sarifLocation{}
	loc.PhysicalLocation.ArtifactLocation.URI = artifactURI(file)
	if f.Line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
	}
	if f.Path != "" {
		loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Path, Kind: "member"}}
	}
	return sarifResult{RuleID: sarifRules[i].id, RuleIndex: i, Level: sarifRules[i].level,
		Message: sarifMessage{text}, Locations: []sarifLocation{loc}}
}

// artifactURI is a file's SARIF URI: relative paths stay relative (code scanning resolves
// them against the repository root), absolute ones become file URIs.
func artifactURI(file string) string {
	p := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}
