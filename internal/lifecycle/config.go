package lifecycle

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Setting is the name of the bucket setting that holds a bucket's lifecycle configuration.
const Setting = "lifecycle"

// S3's limits on a lifecycle configuration.
const (
	MaxRules = 1000
	maxID    = 255
	// maxNewerNoncurrent bounds NewerNoncurrentVersions, as S3 does.
	maxNewerNoncurrent = 100
	maxTagKey          = 128
	maxTagValue        = 256
)

// The values of x-amz-transition-default-minimum-object-size. Since September 2024 S3 gives
// new configurations all_storage_classes_128K when the header is absent.
const (
	MinimumSizeAll128K      = "all_storage_classes_128K"
	MinimumSizeVariesByType = "varies_by_storage_class"
)

// Configuration is a LifecycleConfiguration document, as PutBucketLifecycleConfiguration
// takes it and GetBucketLifecycleConfiguration answers it.
type Configuration struct {
	XMLName xml.Name `xml:"LifecycleConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []Rule   `xml:"Rule"`
}

// Rule is one lifecycle rule. Prefix is the legacy form of Filter{Prefix}; a rule has
// exactly one of them.
type Rule struct {
	ID                             string                          `xml:"ID,omitempty"`
	Prefix                         *string                         `xml:"Prefix"`
	Filter                         *Filter                         `xml:"Filter"`
	Status                         string                          `xml:"Status"`
	Expiration                     *Expiration                     `xml:"Expiration"`
	Transitions                    []Transition                    `xml:"Transition"`
	NoncurrentVersionTransitions   []NoncurrentVersionTransition   `xml:"NoncurrentVersionTransition"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `xml:"NoncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `xml:"AbortIncompleteMultipartUpload"`
}

// Filter selects the objects a rule applies to: at most one of its fields; none selects
// every object of the bucket.
type Filter struct {
	Prefix                *string `xml:"Prefix"`
	Tag                   *Tag    `xml:"Tag"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan"`
	And                   *And    `xml:"And"`
}

// And combines a prefix, tags and size bounds; an object must satisfy all of them.
type And struct {
	Prefix                *string `xml:"Prefix"`
	Tags                  []Tag   `xml:"Tag"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan"`
}

// Tag is one object tag a filter requires.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// Expiration expires current objects at Days after creation or on Date, or (alone)
// removes expired object delete markers.
type Expiration struct {
	Date                      *string `xml:"Date"`
	Days                      *int    `xml:"Days"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

// Transition moves objects to another storage class; inkan refuses every one (check).
type Transition struct {
	Date         *string `xml:"Date"`
	Days         *int    `xml:"Days"`
	StorageClass string  `xml:"StorageClass"`
}

// NoncurrentVersionTransition moves noncurrent versions; refused like Transition.
type NoncurrentVersionTransition struct {
	NoncurrentDays          *int   `xml:"NoncurrentDays"`
	StorageClass            string `xml:"StorageClass"`
	NewerNoncurrentVersions *int   `xml:"NewerNoncurrentVersions"`
}

// NoncurrentVersionExpiration removes noncurrent versions NoncurrentDays after they became
// noncurrent, keeping the NewerNoncurrentVersions newest of them.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions"`
}

// AbortIncompleteMultipartUpload aborts uploads DaysAfterInitiation after they started.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation *int `xml:"DaysAfterInitiation"`
}

// Kind is the class of a configuration S3 refuses; the wire layer maps it to S3's code.
type Kind int

// The kinds of ConfigError.
const (
	// KindMalformed is S3's MalformedXML: the document does not fit the schema.
	KindMalformed Kind = iota
	// KindInvalidArgument is S3's InvalidArgument: a value out of range.
	KindInvalidArgument
	// KindInvalidStorageClass is S3's InvalidStorageClass: a class S3 does not have.
	KindInvalidStorageClass
	// KindNotImplemented is a feature S3 has and inkan does not (transitions).
	KindNotImplemented
)

// ConfigError says why a configuration is refused. Message is meant for the caller.
type ConfigError struct {
	Kind    Kind
	Message string
}

func (e *ConfigError) Error() string { return "lifecycle: " + e.Message }

func malformed(format string, a ...any) error {
	return &ConfigError{KindMalformed, fmt.Sprintf(format, a...)}
}

func invalid(format string, a ...any) error {
	return &ConfigError{KindInvalidArgument, fmt.Sprintf(format, a...)}
}

// Check validates the configuration as S3 does and fills what S3 fills: a rule without an
// ID gets one. Decisions where sources disagree or are silent (reference §5, UNCONFIRMED
// rows), each tested in config_test.go:
//   - a duplicate ID is InvalidArgument "Rule ID must be unique. Found same ID for more
//     than one rule." (the text Ceph's s3-tests and MinIO share);
//   - more than 1000 rules is InvalidArgument, a count out of range like Days;
//   - a Date that does not parse as ISO 8601 is MalformedXML: S3 validates the element as
//     an xsd:dateTime against its schema before any rule is read;
//   - a Date not at 00:00:00 UTC is InvalidArgument "'Date' must be at midnight GMT";
//   - Days together with Date, or ExpiredObjectDeleteMarker with either, is MalformedXML,
//     as AWS answers them (aws/aws-sdk-ruby#2350, crossplane-contrib/provider-aws#2116);
//   - a rule without an action is InvalidArgument "At least one action needs to be
//     specified in a rule.";
//   - AbortIncompleteMultipartUpload or ExpiredObjectDeleteMarker in a rule filtering by
//     tags is InvalidArgument, as S3 documents that neither works with tags (uploads and
//     delete markers have no tags);
//   - a Transition or NoncurrentVersionTransition is refused: to a class S3 does not have
//     (or STANDARD, which no transition targets) with InvalidStorageClass, as S3 does; to a
//     real S3 class with NotImplemented, because inkan has one storage class and silently
//     keeping a rule it will never execute would be a wrong success.
func (c *Configuration) Check() error {
	if len(c.Rules) == 0 {
		return malformed("a lifecycle configuration holds at least one rule")
	}
	if len(c.Rules) > MaxRules {
		return invalid("A lifecycle configuration can have at most %d rules, not %d", MaxRules, len(c.Rules))
	}
	ids := make(map[string]bool, len(c.Rules))
	for i := range c.Rules {
		r := &c.Rules[i]
		if err := r.check(); err != nil {
			return err
		}
		if r.ID == "" {
			r.ID = generatedID(i, r)
		}
		if ids[r.ID] {
			return invalid("Rule ID must be unique. Found same ID for more than one rule.")
		}
		ids[r.ID] = true
	}
	return nil
}

// generatedID names a rule given without an ID, as S3 names it with an opaque string: the
// base64 of a digest of its position and content, stable for a given document.
func generatedID(i int, r *Rule) string {
	doc, _ := xml.Marshal(r)
	sum := sha256.Sum256(append([]byte(strconv.Itoa(i)+"\x00"), doc...))
	return base64.StdEncoding.EncodeToString(sum[:24])
}

func (r *Rule) check() error {
	if len(r.ID) > maxID {
		return invalid("ID length should not exceed allowed limit of %d", maxID)
	}
	if r.Status != "Enabled" && r.Status != "Disabled" {
		return malformed("Status must be Enabled or Disabled, not %q", r.Status)
	}
	if (r.Prefix == nil) == (r.Filter == nil) {
		return malformed("a rule has exactly one of Filter and Prefix")
	}
	if err := r.checkFilter(); err != nil {
		return err
	}
	if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil &&
		len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 {
		return invalid("At least one action needs to be specified in a rule.")
	}
	if err := r.checkActions(); err != nil {
		return err
	}
	return checkTransitions(r)
}

func (r *Rule) checkFilter() error {
	f := r.Filter
	if f == nil {
		return nil
	}
	n := 0
	for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil, f.And != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return malformed("a Filter holds one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan and And; combine them with And")
	}
	if f.Tag != nil {
		return checkTags([]Tag{*f.Tag})
	}
	if a := f.And; a != nil {
		if err := checkTags(a.Tags); err != nil {
			return err
		}
		return checkSizes(a.ObjectSizeGreaterThan, a.ObjectSizeLessThan)
	}
	return checkSizes(f.ObjectSizeGreaterThan, f.ObjectSizeLessThan)
}

func checkTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > maxTagKey || len(t.Value) > maxTagValue {
			return invalid("The TagKey you have provided is invalid: tag keys are 1 to %d characters, values at most %d", maxTagKey, maxTagValue)
		}
		if seen[t.Key] {
			return invalid("Duplicate Tag Keys are not allowed.")
		}
		seen[t.Key] = true
	}
	return nil
}

func checkSizes(gt, lt *int64) error {
	if gt != nil && *gt < 0 || lt != nil && *lt <= 0 {
		return invalid("ObjectSizeGreaterThan must not be negative and ObjectSizeLessThan must be positive")
	}
	if gt != nil && lt != nil && *lt <= *gt {
		return invalid("ObjectSizeLessThan must be greater than ObjectSizeGreaterThan")
	}
	return nil
}

func (r *Rule) checkActions() error {
	tagged := r.selector().hasTags()
	if e := r.Expiration; e != nil {
		eodm := e.ExpiredObjectDeleteMarker != nil
		switch {
		case e.Days != nil && e.Date != nil, eodm && (e.Days != nil || e.Date != nil):
			return malformed("Expiration holds one of Days, Date and ExpiredObjectDeleteMarker")
		case e.Days == nil && e.Date == nil && !eodm:
			return malformed("Expiration holds one of Days, Date and ExpiredObjectDeleteMarker")
		case e.Days != nil && *e.Days <= 0:
			return invalid("'Days' for Expiration action must be a positive integer")
		case eodm && *e.ExpiredObjectDeleteMarker && tagged:
			return invalid("ExpiredObjectDeleteMarker cannot be specified with tags")
		}
		if e.Date != nil {
			if _, err := ParseDate(*e.Date); err != nil {
				return err
			}
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		switch {
		case n.NoncurrentDays == nil:
			return malformed("NoncurrentVersionExpiration needs NoncurrentDays")
		case *n.NoncurrentDays <= 0:
			return invalid("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
		case n.NewerNoncurrentVersions != nil && (*n.NewerNoncurrentVersions <= 0 || *n.NewerNoncurrentVersions > maxNewerNoncurrent):
			return invalid("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to %d", maxNewerNoncurrent)
		}
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		switch {
		case a.DaysAfterInitiation == nil:
			return malformed("AbortIncompleteMultipartUpload needs DaysAfterInitiation")
		case *a.DaysAfterInitiation <= 0:
			return invalid("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		case tagged:
			return invalid("AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
	}
	return nil
}

// transitionClasses are the storage classes S3 can transition objects to.
var transitionClasses = map[string]bool{"GLACIER": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true}

func checkTransitions(r *Rule) error {
	classes := make([]string, 0, len(r.Transitions)+len(r.NoncurrentVersionTransitions))
	for _, t := range r.Transitions {
		if t.Days != nil && *t.Days < 0 {
			return invalid("'Days' for Transition action must be a nonnegative integer")
		}
		classes = append(classes, t.StorageClass)
	}
	for _, t := range r.NoncurrentVersionTransitions {
		if t.NoncurrentDays != nil && *t.NoncurrentDays < 0 {
			return invalid("'NoncurrentDays' for NoncurrentVersionTransition action must be a nonnegative integer")
		}
		classes = append(classes, t.StorageClass)
	}
	for _, class := range classes {
		if !transitionClasses[class] {
			return &ConfigError{KindInvalidStorageClass, "The storage class you specified is not valid"}
		}
	}
	if len(classes) > 0 {
		return &ConfigError{KindNotImplemented, "lifecycle transitions (to " + classes[0] +
			") are not implemented by inkan: it keeps every object in the STANDARD storage class"}
	}
	return nil
}

// ParseDate reads an Expiration Date: ISO 8601 (as SDKs write it, "2026-01-02T00:00:00Z",
// with or without fractional seconds or a zone offset, or a bare date), which must be at
// midnight UTC.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	var err error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, malformed("Date %q is not an ISO 8601 date", s)
	}
	t = t.UTC()
	if !t.Equal(t.Truncate(24 * time.Hour)) {
		return time.Time{}, invalid("'Date' must be at midnight GMT")
	}
	return t, nil
}

// Stored is the form a configuration is kept in as a bucket setting: the document Get
// answers and the transition minimum size header it answers with.
type Stored struct {
	Document    string `json:"document"`
	MinimumSize string `json:"minimum_size"`
}

// Encode is the setting's text.
func (s Stored) Encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Decode reads a setting's text and parses its configuration. A document that no longer
// parses is an error: the worker then leaves the bucket alone.
func Decode(setting string) (Stored, *Configuration, error) {
	var s Stored
	if err := json.Unmarshal([]byte(setting), &s); err != nil {
		return s, nil, fmt.Errorf("lifecycle: stored setting does not parse: %w", err)
	}
	var c Configuration
	if err := xml.Unmarshal([]byte(s.Document), &c); err != nil {
		return s, nil, fmt.Errorf("lifecycle: stored configuration does not parse: %w", err)
	}
	if err := c.Check(); err != nil {
		return s, nil, fmt.Errorf("lifecycle: stored configuration no longer validates: %w", err)
	}
	return s, &c, nil
}
