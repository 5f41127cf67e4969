package devidp

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// GitLabPath is where the GitLab-shaped issuer lives, relative to the issuer URL: its iss
// is <URL>/gitlab and its discovery document <URL>/gitlab/.well-known/openid-configuration.
const GitLabPath = "/gitlab"

// gitlabNotBeforeSkew is iat − nbf in GitLab's ID tokens (five seconds in GitLab's own
// example tokens).
const gitlabNotBeforeSkew = 5 * time.Second

// GitLabJob is the context of one GitLab CI job: the claims of a GitLab ID token
// (https://docs.gitlab.com/ci/secrets/id_token_authentication/). Only ProjectPath is
// required; Complete derives the rest deterministically, as Job.Complete does.
type GitLabJob struct {
	NamespaceID          string   `json:"namespace_id"`
	NamespacePath        string   `json:"namespace_path"` // default: ProjectPath without its last segment
	ProjectID            string   `json:"project_id"`
	ProjectPath          string   `json:"project_path"` // "group[/subgroup…]/project"; required
	ProjectVisibility    string   `json:"project_visibility"`
	UserID               string   `json:"user_id"`
	UserLogin            string   `json:"user_login"` // default: the top-level group
	UserEmail            string   `json:"user_email"`
	UserAccessLevel      string   `json:"user_access_level"`
	PipelineID           string   `json:"pipeline_id"`
	PipelineSource       string   `json:"pipeline_source"` // default push
	JobID                string   `json:"job_id"`
	Ref                  string   `json:"ref"`      // bare name, default main; refs/heads/x and refs/tags/x are accepted
	RefType              string   `json:"ref_type"` // branch or tag
	RefPath              string   `json:"ref_path"` // refs/heads/<ref> or refs/tags/<ref>
	RefProtected         string   `json:"ref_protected"`
	Environment          string   `json:"environment,omitempty"`
	EnvironmentProtected string   `json:"environment_protected,omitempty"`
	DeploymentTier       string   `json:"deployment_tier,omitempty"`
	EnvironmentAction    string   `json:"environment_action,omitempty"`
	RunnerID             int64    `json:"runner_id"` // a JSON number, as GitLab sends it
	RunnerEnvironment    string   `json:"runner_environment"`
	SHA                  string   `json:"sha"`
	CIConfigRefURI       string   `json:"ci_config_ref_uri"`
	CIConfigSHA          string   `json:"ci_config_sha"`
	GroupsDirect         []string `json:"groups_direct,omitempty"`
}

// Complete returns the job with every empty claim filled in and checks every value.
// instance is the GitLab host (and path) that ci_config_ref_uri starts with; the Issuer
// passes its GitLab issuer URL without the scheme.
func (j GitLabJob) Complete(instance string) (GitLabJob, error) {
	namespace, err := splitProjectPath(j.ProjectPath)
	if err != nil {
		return GitLabJob{}, err
	}
	setDefault(&j.NamespacePath, namespace)
	if j.NamespacePath != namespace {
		return GitLabJob{}, fieldErrorf("namespace_path", "%q is not the namespace of %q", j.NamespacePath, j.ProjectPath)
	}
	setDefault(&j.NamespaceID, stableID("gitlab_namespace", namespace))
	setDefault(&j.ProjectID, stableID("gitlab_project", j.ProjectPath))
	setDefault(&j.ProjectVisibility, "private")
	group, _, _ := strings.Cut(namespace, "/")
	setDefault(&j.UserLogin, group)
	setDefault(&j.UserID, stableID("gitlab_user", j.UserLogin))
	setDefault(&j.UserEmail, j.UserLogin+"@example.com")
	setDefault(&j.UserAccessLevel, "developer")
	j.completeRef()
	setDefault(&j.SHA, stableHex("commit", j.ProjectPath, j.RefPath))
	setDefault(&j.PipelineSource, "push")
	setDefault(&j.PipelineID, stableID("gitlab_pipeline", j.ProjectPath, j.RefPath))
	setDefault(&j.JobID, stableID("gitlab_job", j.PipelineID))
	if j.Environment != "" {
		setDefault(&j.EnvironmentProtected, "false")
		setDefault(&j.DeploymentTier, "other")
		setDefault(&j.EnvironmentAction, "start")
	}
	if j.RunnerID == 0 {
		j.RunnerID, _ = strconv.ParseInt(stableID("gitlab_runner", j.ProjectPath), 10, 64)
	}
	setDefault(&j.RunnerEnvironment, "gitlab-hosted")
	setDefault(&j.CIConfigRefURI, instance+"/"+j.ProjectPath+"//.gitlab-ci.yml@"+j.RefPath)
	setDefault(&j.CIConfigSHA, j.SHA)
	return j, j.validate()
}

func (j *GitLabJob) completeRef() {
	switch {
	case strings.HasPrefix(j.Ref, "refs/heads/"):
		j.Ref, j.RefType = strings.TrimPrefix(j.Ref, "refs/heads/"), "branch"
	case strings.HasPrefix(j.Ref, "refs/tags/"):
		j.Ref, j.RefType = strings.TrimPrefix(j.Ref, "refs/tags/"), "tag"
	}
	setDefault(&j.Ref, "main")
	setDefault(&j.RefType, "branch")
	if j.RefType == "tag" {
		setDefault(&j.RefPath, "refs/tags/"+j.Ref)
	}
	setDefault(&j.RefPath, "refs/heads/"+j.Ref)
	setDefault(&j.RefProtected, "false")
}

func (j GitLabJob) validate() error {
	for _, err := range []error{
		oneOf("ref_type", j.RefType, "branch", "tag"),
		oneOf("ref_protected", j.RefProtected, "true", "false"),
		oneOf("project_visibility", j.ProjectVisibility, "public", "private", "internal"),
		oneOf("runner_environment", j.RunnerEnvironment, "gitlab-hosted", "self-hosted"),
		digits("namespace_id", j.NamespaceID), digits("project_id", j.ProjectID), digits("user_id", j.UserID),
		digits("pipeline_id", j.PipelineID), digits("job_id", j.JobID),
		hexSHA("sha", j.SHA), hexSHA("ci_config_sha", j.CIConfigSHA),
	} {
		if err != nil {
			return err
		}
	}
	if j.RunnerID < 0 {
		return fieldErrorf("runner_id", "%d is negative", j.RunnerID)
	}
	return printable(j.stringClaims())
}

// stringClaims returns the job's string-valued claims by name (all but runner_id and
// groups_direct): what a sub template may name.
func (j GitLabJob) stringClaims() map[string]string {
	j.GroupsDirect = nil
	raw, err := json.Marshal(j)
	if err != nil {
		panic("devidp: a struct of strings always marshals: " + err.Error())
	}
	var all map[string]any
	if err := json.Unmarshal(raw, &all); err != nil {
		panic("devidp: a struct of strings always unmarshals: " + err.Error())
	}
	claims := map[string]string{}
	for name, value := range all {
		if s, ok := value.(string); ok {
			claims[name] = s
		}
	}
	return claims
}

// claims returns every custom claim, with runner_id a number and groups_direct a list.
func (j GitLabJob) claims() map[string]any {
	claims := map[string]any{"runner_id": j.RunnerID}
	for name, value := range j.stringClaims() {
		claims[name] = value
	}
	if len(j.GroupsDirect) > 0 {
		claims["groups_direct"] = j.GroupsDirect
	}
	return claims
}

// gitlabSubject renders GitLab's sub: project_path:G/P:ref_type:T:ref:R by default, or
// the project's ci_id_token_sub_claim_components, whose first entry must be project_path.
//
// UNCONFIRMED: GitLab documents no escaping, so ':' inside values is kept as is.
func gitlabSubject(claims map[string]string, keys []string) (string, error) {
	if len(keys) == 0 {
		keys = []string{"project_path", "ref_type", "ref"}
	}
	if keys[0] != "project_path" {
		return "", fieldErrorf("include_claim_keys", "GitLab requires project_path first, not %q", keys[0])
	}
	return renderSubject(keys, func(key string) (string, error) {
		value, ok := claims[key]
		if !ok {
			return "", fieldErrorf("include_claim_keys", "%q is not a string claim of this GitLab job", key)
		}
		return key + ":" + value, nil
	})
}

func splitProjectPath(path string) (namespace string, err error) {
	cut := strings.LastIndexByte(path, '/')
	if path == "" {
		return "", fieldErrorf("project_path", "required, as group/project")
	}
	segments := strings.Split(path, "/")
	for _, s := range segments {
		if !isRepoName(s) {
			return "", fieldErrorf("project_path", "%q is not group[/subgroup…]/project", path)
		}
	}
	if len(segments) < 2 {
		return "", fieldErrorf("project_path", "%q is not group[/subgroup…]/project", path)
	}
	return path[:cut], nil
}

// GitLabTokenRequest asks for one GitLab-shaped token. Its JSON form, the body of
// POST /gitlab/mint, is flat: GitLab's claim names, include_claim_keys, audience,
// issued_at and lifetime_seconds. GitLab has no default audience: Audience is required.
type GitLabTokenRequest struct {
	GitLabJob
	IncludeClaimKeys []string `json:"include_claim_keys,omitempty"` // GitLab's ci_id_token_sub_claim_components
	TokenOptions
}

// GitLabURL returns the GitLab-shaped issuer, the iss claim of MintGitLab's tokens.
func (i *Issuer) GitLabURL() string { return i.url + GitLabPath }

// MintGitLab returns a signed GitLab-shaped ID token: the same keys and header as Mint,
// iss GitLabURL, nbf five seconds before iat, and GitLab's claims.
func (i *Issuer) MintGitLab(req GitLabTokenRequest) (string, error) {
	if req.Audience == "" {
		return "", fieldErrorf("audience", "required: GitLab ID tokens always name their audience")
	}
	job, err := req.GitLabJob.Complete(strings.SplitN(i.GitLabURL(), "://", 2)[1])
	if err != nil {
		return "", err
	}
	sub, err := gitlabSubject(job.stringClaims(), req.IncludeClaimKeys)
	if err != nil {
		return "", err
	}
	return i.sign(i.GitLabURL(), sub, req.Audience, req.TokenOptions, gitlabNotBeforeSkew, job.claims())
}
