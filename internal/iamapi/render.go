package iamapi

import (
	"encoding/xml"
	"net/url"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// list renders as IAM renders every list: the element, always present (empty when the list
// is), holding one <member> per item.
type list[T any] []T

// MarshalXML writes <Name><member>…</member>…</Name>.
func (l list[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	member := xml.StartElement{Name: xml.Name{Local: "member"}}
	for _, v := range l {
		if err := e.EncodeElement(v, member); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// isoTime is IAM's date format: ISO 8601 in UTC with milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// encodeDocument URL-encodes a policy document as IAM returns it (RFC 3986: everything but
// the unreserved characters is percent-encoded, a space is %20).
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

type tagXML struct {
	Key   string
	Value string
}

func tagList(tags []store.Tag) list[tagXML] {
	out := make(list[tagXML], len(tags))
	for i, t := range tags {
		out[i] = tagXML(t)
	}
	return out
}

// roleXML is IAM's Role. ListRoles leaves out the boundary and the tags, as IAM does.
type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
	PermissionsBoundary      *boundaryXML `xml:",omitempty"`
	Tags                     list[tagXML] `xml:",omitempty"`
}

type boundaryXML struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

func newRole(r store.Role, full bool) roleXML {
	x := roleXML{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.CreateDate),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
	if full {
		if r.PermissionsBoundary != "" {
			x.PermissionsBoundary = &boundaryXML{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.PermissionsBoundary}
		}
		x.Tags = tagList(r.Tags)
	}
	return x
}

// policyXML is IAM's Policy (a customer managed policy's metadata, without the document).
type policyXML struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          list[tagXML] `xml:",omitempty"`
}

func newPolicy(p store.ManagedPolicy, boundaryUsage int, withTags bool) policyXML {
	x := policyXML{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersionID,
		AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: boundaryUsage, IsAttachable: true,
		Description: p.Description, CreateDate: isoTime(p.CreateDate), UpdateDate: isoTime(p.UpdateDate)}
	if withTags {
		x.Tags = tagList(p.Tags)
	}
	return x
}
