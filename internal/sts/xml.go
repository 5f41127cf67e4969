package sts

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
}

type assumeRoleResult struct {
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUser
	PackedPolicySize *int   `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

type callerIdentityResult struct {
	UserID  string `xml:"UserId"`
	Account string
	Arn     string
}

type decodedMessageResult struct {
	DecodedMessage string
}
