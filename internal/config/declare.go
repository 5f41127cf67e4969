package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Declared is the set of IAM resources and buckets a configuration file declares. They are
// applied idempotently at start, through the same validation as the IAM API.
type Declared struct {
	Providers []Provider `yaml:"providers"`
	Policies  []Policy   `yaml:"policies"`
	Roles     []Role     `yaml:"roles"`
	Buckets   []Bucket   `yaml:"buckets"`
}

// Provider declares an OIDC identity provider.
type Provider struct {
	URL         string   `yaml:"url"`
	ClientIDs   []string `yaml:"client_ids"`
	Thumbprints []string `yaml:"thumbprints"`
	// ClaimTags maps token claims to session tags (inkan's extension): claim → tag key.
	ClaimTags map[string]string `yaml:"claim_tags"`
	Tags      map[string]string `yaml:"tags"`
}

// Policy declares a customer-managed policy.
type Policy struct {
	Name        string   `yaml:"name"`
	Path        string   `yaml:"path"`
	Description string   `yaml:"description"`
	Document    Document `yaml:"document"`
}

// Role declares a role with its trust policy and permissions.
type Role struct {
	Name                string              `yaml:"name"`
	Path                string              `yaml:"path"`
	Description         string              `yaml:"description"`
	TrustPolicy         Document            `yaml:"trust_policy"`
	MaxSessionDuration  Duration            `yaml:"max_session_duration"`
	Policies            map[string]Document `yaml:"policies"`
	ManagedPolicies     []string            `yaml:"managed_policies"`
	PermissionsBoundary string              `yaml:"permissions_boundary"`
	Tags                map[string]string   `yaml:"tags"`
}

// Bucket declares an S3 bucket and, optionally, its bucket policy.
type Bucket struct {
	Name   string   `yaml:"name"`
	Policy Document `yaml:"policy"`
}

// Document is a policy document: in YAML either a string holding JSON or a mapping, which is
// converted to JSON with its key order kept.
type Document string

// UnmarshalYAML accepts a JSON string or a YAML mapping.
func (d *Document) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*d = Document(n.Value)
		return nil
	}
	var buf bytes.Buffer
	if err := nodeJSON(&buf, n); err != nil {
		return err
	}
	*d = Document(buf.String())
	return nil
}

// nodeJSON writes a YAML node as JSON, keeping mapping order and refusing what JSON cannot hold.
func nodeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return nodeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return nodeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := nodeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := nodeJSON(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		// Policy values are strings in IAM; booleans and numbers are written as strings too,
		// which is how IAM reads them ("Bool": {"aws:SecureTransport": "true"}).
		v, _ := json.Marshal(n.Value)
		buf.Write(v)
	default:
		return fmt.Errorf("line %d: unsupported YAML node in a policy document", n.Line)
	}
	return nil
}

func (d Declared) validate() []error {
	var errs []error
	bad := func(path, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...)))
	}
	for i, p := range d.Providers {
		if p.URL == "" {
			bad("providers["+strconv.Itoa(i)+"].url", "required")
		}
		if len(p.ClientIDs) == 0 {
			bad("providers["+strconv.Itoa(i)+"].client_ids", "at least one audience is required")
		}
	}
	for i, p := range d.Policies {
		if p.Name == "" {
			bad("policies["+strconv.Itoa(i)+"].name", "required")
		}
		if p.Document == "" {
			bad("policies["+strconv.Itoa(i)+"].document", "required")
		}
	}
	for i, r := range d.Roles {
		if r.Name == "" {
			bad("roles["+strconv.Itoa(i)+"].name", "required")
		}
		if r.TrustPolicy == "" {
			bad("roles["+strconv.Itoa(i)+"].trust_policy", "required")
		}
	}
	for i, b := range d.Buckets {
		if b.Name == "" {
			bad("buckets["+strconv.Itoa(i)+"].name", "required")
		}
	}
	return errs
}
