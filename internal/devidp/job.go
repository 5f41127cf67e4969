package devidp

import (
	"encoding/json"
	"strings"
)

// Job is the context of one GitHub Actions job: the values of GitHub's custom OIDC claims
// (aws-federation.md §7; https://docs.github.com/en/actions/reference/security/oidc).
// JSON names are the claim names and numeric ids are decimal strings, as GitHub sends them.
//
// Only Repository is required. Complete fills every empty field with a default derived
// from Repository, Ref and the other fields, deterministically: the same names always
// give the same ids, commit SHAs and run numbers, on any machine.
type Job struct {
	Repository           string `json:"repository"`            // "owner/name"; required
	RepositoryID         string `json:"repository_id"`         // default: stable id of the repository name
	RepositoryOwner      string `json:"repository_owner"`      // must match the owner part of Repository
	RepositoryOwnerID    string `json:"repository_owner_id"`   // default: stable id of the owner name
	RepositoryVisibility string `json:"repository_visibility"` // public, private (default) or internal
	Ref                  string `json:"ref"`                   // default refs/heads/main; "deploy" means refs/heads/deploy
	RefType              string `json:"ref_type"`              // branch or tag, derived from Ref
	RefProtected         string `json:"ref_protected"`         // "true" or "false" (default)
	SHA                  string `json:"sha"`                   // 40 hex digits; default: stable hash of repository and ref
	HeadRef              string `json:"head_ref"`              // pull requests only: source branch (default "topic")
	BaseRef              string `json:"base_ref"`              // pull requests only: target branch (default "main")
	Environment          string `json:"environment,omitempty"` // the job's deployment environment, if any
	EnvironmentNodeID    string `json:"environment_node_id,omitempty"`
	EventName            string `json:"event_name"` // default push, or pull_request for refs/pull/… refs
	Actor                string `json:"actor"`      // default: the repository owner
	ActorID              string `json:"actor_id"`
	Workflow             string `json:"workflow"`         // workflow name, default "CI"
	WorkflowRef          string `json:"workflow_ref"`     // default owner/name/.github/workflows/ci.yml@<ref>
	WorkflowSHA          string `json:"workflow_sha"`     // default: SHA
	JobWorkflowRef       string `json:"job_workflow_ref"` // reusable workflow ref; default: WorkflowRef
	JobWorkflowSHA       string `json:"job_workflow_sha"`
	RunID                string `json:"run_id"`
	RunNumber            string `json:"run_number"`         // default "1"
	RunAttempt           string `json:"run_attempt"`        // default "1"
	RunnerEnvironment    string `json:"runner_environment"` // github-hosted (default) or self-hosted
	CheckRunID           string `json:"check_run_id"`
	Enterprise           string `json:"enterprise,omitempty"` // enterprise slug, if any
	EnterpriseID         string `json:"enterprise_id,omitempty"`

	// RepoProperties are the organisation's custom repository properties; each becomes a
	// claim named repo_property_<name>. Multi-select values are joined with commas and
	// booleans are "true"/"false", as GitHub does.
	RepoProperties map[string]string `json:"repo_properties,omitempty"`
}

// repoPropertyPrefix prefixes the claim of each repository custom property.
const repoPropertyPrefix = "repo_property_"

// Complete returns the job with every empty claim filled in and checks every value.
// It is idempotent: completing a complete job changes nothing. The error is a
// *FieldError (matching ErrInvalidRequest) naming the first bad field.
func (j Job) Complete() (Job, error) {
	owner, _, err := splitRepository(j.Repository)
	if err != nil {
		return Job{}, err
	}
	setDefault(&j.RepositoryOwner, owner)
	if j.RepositoryOwner != owner {
		return Job{}, fieldErrorf("repository_owner", "%q is not the owner of %q", j.RepositoryOwner, j.Repository)
	}
	setDefault(&j.RepositoryOwnerID, stableID("account", owner))
	setDefault(&j.RepositoryID, stableID("repository", j.Repository))
	setDefault(&j.RepositoryVisibility, "private")
	if err := j.completeRefAndEvent(); err != nil {
		return Job{}, err
	}
	j.completeActorAndWorkflow()
	j.completeRun()
	return j, j.validate()
}

func (j *Job) completeRefAndEvent() error {
	if j.Ref == "" && j.EventName == "pull_request" {
		j.Ref = "refs/pull/1/merge"
	}
	j.Ref = normaliseRef(j.Ref)
	refType, err := githubRefType(j.Ref)
	if err != nil {
		return err
	}
	setDefault(&j.RefType, refType)
	setDefault(&j.RefProtected, "false")
	if j.EventName == "" {
		j.EventName = "push"
		if strings.HasPrefix(j.Ref, "refs/pull/") {
			j.EventName = "pull_request"
		}
	}
	if strings.HasPrefix(j.EventName, "pull_request") {
		setDefault(&j.BaseRef, "main")
		setDefault(&j.HeadRef, "topic")
	}
	setDefault(&j.SHA, stableHex("commit", j.Repository, j.Ref))
	return nil
}

func (j *Job) completeActorAndWorkflow() {
	setDefault(&j.Actor, j.RepositoryOwner)
	setDefault(&j.ActorID, stableID("account", j.Actor))
	setDefault(&j.Workflow, "CI")
	setDefault(&j.WorkflowRef, j.Repository+"/.github/workflows/ci.yml@"+j.Ref)
	setDefault(&j.WorkflowSHA, j.SHA)
	setDefault(&j.JobWorkflowRef, j.WorkflowRef)
	if j.JobWorkflowRef == j.WorkflowRef {
		setDefault(&j.JobWorkflowSHA, j.WorkflowSHA)
	}
	setDefault(&j.JobWorkflowSHA, stableHex("commit", j.JobWorkflowRef))
}

func (j *Job) completeRun() {
	setDefault(&j.RunID, stableID("run", j.Repository, j.Ref, j.Workflow))
	setDefault(&j.RunNumber, "1")
	setDefault(&j.RunAttempt, "1")
	setDefault(&j.RunnerEnvironment, "github-hosted")
	setDefault(&j.CheckRunID, stableID("check_run", j.RunID, j.RunAttempt))
	if j.Environment != "" {
		setDefault(&j.EnvironmentNodeID, "EN_"+stableHex("environment", j.Repository, j.Environment)[:16])
	}
	if j.Enterprise != "" {
		setDefault(&j.EnterpriseID, stableID("enterprise", j.Enterprise))
	}
}

// validate checks the values Complete may have been given rather than derived.
func (j Job) validate() error {
	checks := []error{
		oneOf("ref_type", j.RefType, "branch", "tag"),
		oneOf("ref_protected", j.RefProtected, "true", "false"),
		oneOf("repository_visibility", j.RepositoryVisibility, "public", "private", "internal"),
		oneOf("runner_environment", j.RunnerEnvironment, "github-hosted", "self-hosted"),
		digits("repository_id", j.RepositoryID), digits("repository_owner_id", j.RepositoryOwnerID),
		digits("actor_id", j.ActorID), digits("run_id", j.RunID), digits("run_number", j.RunNumber),
		digits("run_attempt", j.RunAttempt), digits("check_run_id", j.CheckRunID),
		hexSHA("sha", j.SHA), hexSHA("workflow_sha", j.WorkflowSHA), hexSHA("job_workflow_sha", j.JobWorkflowSHA),
	}
	if j.EnterpriseID != "" {
		checks = append(checks, digits("enterprise_id", j.EnterpriseID))
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	for name := range j.RepoProperties {
		if !isClaimKey(name) {
			return fieldErrorf("repo_properties", "property name %q may hold only letters, digits and underscores", name)
		}
	}
	return printable(j.claims())
}

// claims returns the job's custom claims by claim name: the JSON form of the struct with
// the repository properties flattened to repo_property_<name>. Call it on a completed job.
func (j Job) claims() map[string]string {
	props := j.RepoProperties
	j.RepoProperties = nil
	raw, err := json.Marshal(j)
	if err != nil {
		panic("devidp: a struct of strings always marshals: " + err.Error())
	}
	claims := map[string]string{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		panic("devidp: a struct of strings always unmarshals: " + err.Error())
	}
	for name, value := range props {
		claims[repoPropertyPrefix+name] = value
	}
	return claims
}

// splitRepository checks "owner/name" against GitHub's naming rules, so a typo fails here
// rather than as an unexplained trust-policy mismatch later.
func splitRepository(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if repo == "" {
		return "", "", fieldErrorf("repository", "required, as owner/name")
	}
	if !ok || !isOwnerName(owner) || !isRepoName(name) {
		return "", "", fieldErrorf("repository", "%q is not owner/name (owner: letters, digits, hyphens; name: letters, digits, '.', '-', '_')", repo)
	}
	return owner, name, nil
}

func isOwnerName(s string) bool {
	if s == "" || len(s) > 39 || s[0] == '-' {
		return false
	}
	return allBytes(s, func(c byte) bool { return isAlnum(c) || c == '-' })
}

func isRepoName(s string) bool {
	if s == "" || len(s) > 100 || s == "." || s == ".." {
		return false
	}
	return allBytes(s, func(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' })
}

// normaliseRef turns a bare branch name into a full ref and defaults to refs/heads/main.
func normaliseRef(ref string) string {
	switch {
	case ref == "":
		return "refs/heads/main"
	case strings.HasPrefix(ref, "refs/"):
		return ref
	default:
		return "refs/heads/" + ref
	}
}

// githubRefType is GitHub's ref_type for a full ref. Pull request merge refs
// (refs/pull/N/merge) are "branch", as GitHub reports them.
func githubRefType(ref string) (string, error) {
	for prefix, refType := range map[string]string{"refs/heads/": "branch", "refs/tags/": "tag", "refs/pull/": "branch"} {
		if strings.HasPrefix(ref, prefix) && len(ref) > len(prefix) {
			return refType, nil
		}
	}
	return "", fieldErrorf("ref", "%q is not refs/heads/…, refs/tags/… or refs/pull/…", ref)
}
