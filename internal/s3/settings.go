package s3

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
)

// Bucket settings inkan does not configure (reference §14). S3 clients read them on
// routine commands (s3cmd info, mc stat, the Terraform provider on every plan), so a GET
// answers what S3 answers for a bucket where the feature is not configured, after the
// bucket and the action are checked as for any operation; a DELETE of one is S3's no-op
// (204). Writes that would configure a feature inkan lacks answer NotImplemented.
//
// Decisions where inkan's truth differs from a new AWS bucket's defaults:
//   - ?encryption is configured (encryption.go).
//   - ?publicAccessBlock and ?ownershipControls are stored settings now (acl.go).
//   - ?metadataTable and ?metadataConfiguration answer 404 MetadataConfigurationNotFound
//     (UNCONFIRMED code: no source shows S3's answer for a bucket without S3 Metadata).
//   - ?abac answers Disabled.

// Errors of settings that are not configured.
var (
	errNoSuchCORS              = &Error{Code: "NoSuchCORSConfiguration", Status: 404, Message: "The CORS configuration does not exist"}
	errNoSuchLifecycle         = &Error{Code: "NoSuchLifecycleConfiguration", Status: 404, Message: "The lifecycle configuration does not exist"}
	errNoSuchTagSet            = &Error{Code: "NoSuchTagSet", Status: 404, Message: "The TagSet does not exist"}
	errNoSuchWebsite           = &Error{Code: "NoSuchWebsiteConfiguration", Status: 404, Message: "The specified bucket does not have a website configuration"}
	errNoReplication           = &Error{Code: "ReplicationConfigurationNotFoundError", Status: 404, Message: "The replication configuration was not found"}
	errNoObjectLock            = &Error{Code: "ObjectLockConfigurationNotFoundError", Status: 404, Message: "Object Lock configuration does not exist for this bucket"}
	errNoEncryption            = &Error{Code: "ServerSideEncryptionConfigurationNotFoundError", Status: 404, Message: "The server side encryption configuration was not found"}
	errNoPublicAccessBlock     = &Error{Code: "NoSuchPublicAccessBlockConfiguration", Status: 404, Message: "The public access block configuration was not found"}
	errNoSuchConfiguration     = &Error{Code: "NoSuchConfiguration", Status: 404, Message: "The specified configuration does not exist."}
	errNoMetadataConfiguration = &Error{Code: "MetadataConfigurationNotFound", Status: 404, Message: "The specified bucket does not have a metadata configuration."}
	// errACLNotSupported refuses an ACL that would grant anything under BucketOwnerEnforced.
	errACLNotSupported = &Error{Code: "AccessControlListNotSupported", Status: 400, Message: "The bucket does not allow ACLs"}
)

// unset is the GET of a setting that is not configured: S3's document for it, or its error.
func unset(doc any, missing *Error) func(h *Handler, c *call) error {
	return func(h *Handler, c *call) error {
		if err := h.requireBucket(c); err != nil {
			return err
		}
		if missing != nil {
			return missing.because(c.op.name+": inkan does not configure this on buckets", nil)
		}
		return writeXML(c.w, doc)
	}
}

// unsetList is the GET of a list of configurations (analytics, metrics, inventory,
// intelligent tiering): an empty list, or, for one configuration named by ?id,
// NoSuchConfiguration.
func unsetList(root string) func(h *Handler, c *call) error {
	return func(h *Handler, c *call) error {
		if err := h.requireBucket(c); err != nil {
			return err
		}
		if c.query.Has("id") {
			return errNoSuchConfiguration.because(c.op.name+": inkan has no such configurations", nil)
		}
		return writeXML(c.w, emptyList{XMLName: xml.Name{Local: root}, Xmlns: xmlns})
	}
}

// noObjectLock answers the legal hold and retention of an object, read or written: no
// bucket has object lock in inkan, and S3 answers these in such a bucket with 400
// InvalidRequest "Bucket is missing Object Lock Configuration" (versitygw's integration
// tests, checked against S3). mc stat reads them.
func (h *Handler) noObjectLock(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	e := errInvalidRequest.because(c.op.name+": the bucket has no object lock", nil)
	e.Message = "Bucket is missing Object Lock Configuration"
	return e
}

// unsetDelete is the DELETE of a setting that is not configured: 204, as S3 answers.
func (h *Handler) unsetDelete(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// emptyList is the answer of a List*Configurations operation without configurations.
type emptyList struct {
	XMLName     xml.Name
	Xmlns       string `xml:"xmlns,attr"`
	IsTruncated bool
}

// bareDocument is a document without content: <Root xmlns="…"/>.
type bareDocument struct {
	XMLName xml.Name
	Xmlns   string `xml:"xmlns,attr"`
}

func bare(root string) bareDocument {
	return bareDocument{XMLName: xml.Name{Local: root}, Xmlns: xmlns}
}

type requestPayment struct {
	XMLName xml.Name `xml:"RequestPaymentConfiguration"`
	Xmlns   string   `xml:"xmlns,attr"`
	Payer   string
}

type ownershipControls struct {
	XMLName         xml.Name `xml:"OwnershipControls"`
	Xmlns           string   `xml:"xmlns,attr"`
	ObjectOwnership string   `xml:"Rule>ObjectOwnership"`
}

type abacStatus struct {
	XMLName xml.Name `xml:"AbacStatus"`
	Xmlns   string   `xml:"xmlns,attr"`
	Status  string
}

type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool
}

// The operations of settings, by sub-resource: GET, then DELETE where S3 has one.
var (
	opGetAbac       = operation{"GetBucketAbac", "s3:GetBucketAbac", nil, unset(abacStatus{Xmlns: xmlns, Status: "Disabled"}, nil)}
	opGetAccelerate = operation{"GetBucketAccelerateConfiguration", "s3:GetAccelerateConfiguration", nil, unset(bare("AccelerateConfiguration"), nil)}
	opGetBucketACL  = operation{"GetBucketAcl", "s3:GetBucketAcl", nil, (*Handler).getBucketACL}
	opGetAnalytics  = operation{"ListBucketAnalyticsConfigurations", "s3:GetAnalyticsConfiguration", nil, unsetList("ListBucketAnalyticsConfigurationResult")}
	opGetTiering    = operation{"ListBucketIntelligentTieringConfigurations", "s3:GetIntelligentTieringConfiguration", nil,
		unsetList("ListBucketIntelligentTieringConfigurationsOutput")}
	opGetInventory       = operation{"ListBucketInventoryConfigurations", "s3:GetInventoryConfiguration", nil, unsetList("ListInventoryConfigurationsResult")}
	opGetLogging         = operation{"GetBucketLogging", "s3:GetBucketLogging", nil, unset(bare("BucketLoggingStatus"), nil)}
	opGetMetadata        = operation{"GetBucketMetadataConfiguration", "s3:GetBucketMetadataTableConfiguration", nil, unset(nil, errNoMetadataConfiguration)}
	opGetMetadataTable   = operation{"GetBucketMetadataTableConfiguration", "s3:GetBucketMetadataTableConfiguration", nil, unset(nil, errNoMetadataConfiguration)}
	opGetMetrics         = operation{"ListBucketMetricsConfigurations", "s3:GetMetricsConfiguration", nil, unsetList("ListMetricsConfigurationsResult")}
	opGetNotification    = operation{"GetBucketNotificationConfiguration", "s3:GetBucketNotification", nil, unset(bare("NotificationConfiguration"), nil)}
	opGetObjectLock      = operation{"GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", nil, unset(nil, errNoObjectLock)}
	opGetOwnership       = operation{"GetBucketOwnershipControls", "s3:GetBucketOwnershipControls", nil, (*Handler).getOwnershipControls}
	opGetPolicyStatus    = operation{"GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", nil, (*Handler).getBucketPolicyStatus}
	opGetPublicAccess    = operation{"GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", nil, (*Handler).getPublicAccessBlock}
	opDeletePublicAccess = operation{"DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock", nil, (*Handler).deletePublicAccessBlock}
	opGetReplication     = operation{"GetBucketReplication", "s3:GetReplicationConfiguration", nil, unset(nil, errNoReplication)}
	opDeleteReplication  = operation{"DeleteBucketReplication", "s3:PutReplicationConfiguration", nil, (*Handler).unsetDelete}
	opGetRequestPayment  = operation{"GetBucketRequestPayment", "s3:GetBucketRequestPayment", nil, unset(requestPayment{Xmlns: xmlns, Payer: "BucketOwner"}, nil)}
	opGetBucketTagging   = operation{"GetBucketTagging", "s3:GetBucketTagging", nil, (*Handler).getBucketTagging}
	opDeleteBucketTags   = operation{"DeleteBucketTagging", "s3:PutBucketTagging", nil, (*Handler).deleteBucketTagging}
	opGetWebsite         = operation{"GetBucketWebsite", "s3:GetBucketWebsite", nil, unset(nil, errNoSuchWebsite)}
	opDeleteWebsite      = operation{"DeleteBucketWebsite", "s3:DeleteBucketWebsite", nil, (*Handler).unsetDelete}
	opGetObjectACL       = operation{"GetObjectAcl", "s3:GetObjectAcl", nil, (*Handler).getObjectACL}
	opGetLegalHold       = operation{"GetObjectLegalHold", "s3:GetObjectLegalHold", nil, (*Handler).noObjectLock}
	opPutLegalHold       = operation{"PutObjectLegalHold", "s3:PutObjectLegalHold", nil, (*Handler).noObjectLock}
	opGetRetention       = operation{"GetObjectRetention", "s3:GetObjectRetention", nil, (*Handler).noObjectLock}
	opPutRetention       = operation{"PutObjectRetention", "s3:PutObjectRetention", nil, (*Handler).noObjectLock}
	opPutObjectACL       = operation{"PutObjectAcl", "s3:PutObjectAcl", nil, (*Handler).putObjectACL}
)

// settingOperation routes the GETs and DELETEs of bucket settings; nil for others.
func settingOperation(method, sub string) *operation {
	switch method + " " + sub {
	case "GET abac":
		return &opGetAbac
	case "GET accelerate":
		return &opGetAccelerate
	case "GET acl":
		return &opGetBucketACL
	case "PUT acl":
		return &opPutBucketACL
	case "GET analytics":
		return &opGetAnalytics
	case "GET cors":
		return &opGetCORS
	case "DELETE cors":
		return &opDeleteCORS
	case "PUT cors":
		return &opPutCORS
	case "GET encryption":
		return &opGetEncryption
	case "DELETE encryption":
		return &opDeleteEncryption
	case "PUT encryption":
		return &opPutEncryption
	case "GET intelligent-tiering":
		return &opGetTiering
	case "GET inventory":
		return &opGetInventory
	case "GET lifecycle":
		return &opGetLifecycle
	case "DELETE lifecycle":
		return &opDeleteLifecycle
	case "PUT lifecycle":
		return &opPutLifecycle
	case "GET logging":
		return &opGetLogging
	case "GET metadataConfiguration":
		return &opGetMetadata
	case "GET metadataTable":
		return &opGetMetadataTable
	case "GET metrics":
		return &opGetMetrics
	case "GET notification":
		return &opGetNotification
	case "GET object-lock":
		return &opGetObjectLock
	case "GET ownershipControls":
		return &opGetOwnership
	case "PUT ownershipControls":
		return &opPutOwnership
	case "DELETE ownershipControls":
		return &opDeleteOwnership
	case "GET policyStatus":
		return &opGetPolicyStatus
	case "GET publicAccessBlock":
		return &opGetPublicAccess
	case "DELETE publicAccessBlock":
		return &opDeletePublicAccess
	case "PUT publicAccessBlock":
		return &opPutPublicAccess
	case "GET replication":
		return &opGetReplication
	case "DELETE replication":
		return &opDeleteReplication
	case "GET requestPayment":
		return &opGetRequestPayment
	case "GET tagging":
		return &opGetBucketTagging
	case "DELETE tagging":
		return &opDeleteBucketTags
	case "PUT tagging":
		return &opPutBucketTagging
	case "GET website":
		return &opGetWebsite
	case "DELETE website":
		return &opDeleteWebsite
	}
	return nil
}

// aclPolicy is the AccessControlPolicy of GetBucketAcl and GetObjectAcl under
// BucketOwnerEnforced: the owner with FULL_CONTROL, nothing else (reference §3). It is
// written as text because encoding/xml cannot name the xsi prefix AWS uses.
const aclPolicy = `<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>%[1]s</ID></Owner><AccessControlList>` +
	`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>%[1]s</ID></Grantee>` +
	`<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`

// putObjectACL accepts an ACL that changes nothing under BucketOwnerEnforced: the canned
// private or bucket-owner-full-control, or an AccessControlPolicy (or x-amz-grant-*
// headers) granting the bucket owner FULL_CONTROL and no one anything else, which is what
// s3cmd sends after every copy to carry the source's ACL over. Anything else is S3's 400
// AccessControlListNotSupported "The bucket does not allow ACLs" (reference §3).
func (h *Handler) putObjectACL(c *call) error {
	if _, err := h.o.Backend.HeadObject(c.ctx, c.bucket, c.key, ""); err != nil {
		return h.missingObject(c, err)
	}
	if c.header("x-amz-acl") != "" && hasGrants(c.r.Header) {
		return errBothACLs.because("the request names a canned ACL and grant headers", nil)
	}
	if why := h.aclChange(c); why != "" {
		return errACLNotSupported.because(why, nil)
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// aclChange returns why the ACL a PutObjectAcl sends would grant anything beyond the
// owner's FULL_CONTROL, "" when it would not.
func (h *Handler) aclChange(c *call) string {
	if v := c.header("x-amz-acl"); v != "" && v != "private" && v != "bucket-owner-full-control" {
		return "the canned ACL " + v + " grants others"
	}
	if why := h.grantHeadersProblem(c.r.Header); why != "" {
		return why
	}
	p, err := c.payload()
	if err != nil {
		return err.Error()
	}
	data, err := io.ReadAll(io.LimitReader(p, maxXMLBody))
	if err != nil || len(strings.TrimSpace(string(data))) == 0 {
		return ""
	}
	var acl struct {
		Grants []struct {
			Grantee struct {
				ID, URI, EmailAddress string
			}
			Permission string
		} `xml:"AccessControlList>Grant"`
	}
	if xml.Unmarshal(data, &acl) != nil {
		return "the AccessControlPolicy does not parse"
	}
	for _, g := range acl.Grants {
		if g.Grantee.ID != h.owner.ID || g.Grantee.URI != "" || g.Grantee.EmailAddress != "" || g.Permission != "FULL_CONTROL" {
			return "the AccessControlPolicy grants " + g.Permission + " to another grantee"
		}
	}
	return ""
}

func (h *Handler) getBucketACL(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	return h.writeACL(c)
}

// getObjectACL answers the object's ACL: the owner's FULL_CONTROL, as every object has
// under BucketOwnerEnforced.
func (h *Handler) getObjectACL(c *call) error {
	if _, err := h.o.Backend.HeadObject(c.ctx, c.bucket, c.key, ""); err != nil {
		return h.missingObject(c, err)
	}
	return h.writeACL(c)
}

func (h *Handler) writeACL(c *call) error {
	var id strings.Builder
	xml.EscapeText(&id, []byte(h.owner.ID))
	return writeRaw(c.w, strings.ReplaceAll(aclPolicy, "%[1]s", id.String()))
}

// getBucketPolicyStatus answers whether the bucket's policy makes it public; NoSuchBucketPolicy
// without a policy, as S3 answers.
func (h *Handler) getBucketPolicyStatus(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	doc, err := h.o.Auth.GetBucketPolicy(c.ctx, c.bucket)
	if err != nil {
		return policyError(err)
	}
	return writeXML(c.w, policyStatus{Xmlns: xmlns, IsPublic: isPublicPolicy(doc)})
}

// restrictingKeys are the condition keys whose fixed values make an Allow to everyone not
// public in S3's sense ("Blocking public access", The meaning of "public").
var restrictingKeys = [...]string{"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:sourcearn", "aws:sourceaccount",
	"aws:sourceowner", "aws:principalorgid", "aws:principalaccount", "aws:principalarn", "aws:userid", "aws:principalorgpaths",
	"s3:dataaccesspointarn", "s3:dataaccesspointaccount"}

// isPublicPolicy reports whether a bucket policy allows everyone ("*") without a condition on
// one of the keys that S3 counts as restricting. The document was validated when it was put.
func isPublicPolicy(doc string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	var stmts []statement
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one statement
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = append(stmts, one)
	}
	for _, s := range stmts {
		if s.Effect == "Allow" && everyone(s.Principal) && !restricted(s.Condition) {
			return true
		}
	}
	return false
}

// statement is what isPublicPolicy reads of a policy statement.
type statement struct {
	Effect    string
	Principal json.RawMessage
	Condition map[string]map[string]json.RawMessage
}

func everyone(principal json.RawMessage) bool {
	var star string
	if json.Unmarshal(principal, &star) == nil {
		return star == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(principal, &m) != nil {
		return false
	}
	v, ok := m["AWS"]
	if !ok {
		return false
	}
	var list []string
	if json.Unmarshal(v, &star) == nil {
		list = []string{star}
	} else if json.Unmarshal(v, &list) != nil {
		return false
	}
	for _, p := range list {
		if p == "*" {
			return true
		}
	}
	return false
}

func restricted(cond map[string]map[string]json.RawMessage) bool {
	for _, keys := range cond {
		for k := range keys {
			for _, r := range restrictingKeys {
				if strings.EqualFold(k, r) {
					return true
				}
			}
		}
	}
	return false
}
