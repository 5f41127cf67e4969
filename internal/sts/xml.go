package sts

import (
	"strconv"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/session"
)

// The result shapes of STS, in the member order of AWS's model.

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string
}

type webIdentityResult struct {
	Credentials                 credentialsXML
	SubjectFromWebIdentityToken string
	AssumedRoleUser             assumedRoleUser
	PackedPolicySize            *int `xml:",omitempty"`
	Provider                    string
	Audience                    string
	SourceIdentity              string `xml:",omitempty"`
	tokenSize
	// claims are the token's claims, for the audit record only (never rendered).
	claims map[string]any
}

// tokenSize holds the members that replaced PackedPolicySize in STS's 2026 model: the
// session token's size in bytes and its share of the largest token inkan accepts
// (session.MaxTokenLen).
type tokenSize struct {
	SessionTokenSize        int
	SessionTokenUtilization int
}

func newTokenSize(token string) tokenSize {
	return tokenSize{len(token), (len(token)*100 + session.MaxTokenLen - 1) / session.MaxTokenLen}
}

func (t tokenSize) appendXML(b []byte) []byte {
	b = awsquery.AppendElement(b, "SessionTokenSize", strconv.Itoa(t.SessionTokenSize))
	return awsquery.AppendElement(b, "SessionTokenUtilization", strconv.Itoa(t.SessionTokenUtilization))
}

type assumeRoleResult struct {
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUser
	PackedPolicySize *int   `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
	tokenSize
}

type callerIdentityResult struct {
	UserID  string `xml:"UserId"`
	Account string
	Arn     string
}

type decodedMessageResult struct {
	DecodedMessage string
}

// AppendXML renders the result without reflection: the token exchange is inkan's hottest path.
func (r *webIdentityResult) AppendXML(b []byte) []byte {
	b = r.Credentials.appendXML(b)
	b = awsquery.AppendElement(b, "SubjectFromWebIdentityToken", r.SubjectFromWebIdentityToken)
	b = r.AssumedRoleUser.appendXML(b)
	if r.PackedPolicySize != nil {
		b = awsquery.AppendElement(b, "PackedPolicySize", strconv.Itoa(*r.PackedPolicySize))
	}
	b = awsquery.AppendElement(b, "Provider", r.Provider)
	b = awsquery.AppendElement(b, "Audience", r.Audience)
	if r.SourceIdentity != "" {
		b = awsquery.AppendElement(b, "SourceIdentity", r.SourceIdentity)
	}
	return r.tokenSize.appendXML(b)
}

func (c *credentialsXML) appendXML(b []byte) []byte {
	b = append(b, "<Credentials>"...)
	b = awsquery.AppendElement(b, "AccessKeyId", c.AccessKeyID)
	b = awsquery.AppendElement(b, "SecretAccessKey", c.SecretAccessKey)
	b = awsquery.AppendElement(b, "SessionToken", c.SessionToken)
	b = awsquery.AppendElement(b, "Expiration", c.Expiration)
	return append(b, "</Credentials>"...)
}

func (u *assumedRoleUser) appendXML(b []byte) []byte {
	b = append(b, "<AssumedRoleUser>"...)
	b = awsquery.AppendElement(b, "AssumedRoleId", u.AssumedRoleID)
	b = awsquery.AppendElement(b, "Arn", u.Arn)
	return append(b, "</AssumedRoleUser>"...)
}
