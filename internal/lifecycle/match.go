package lifecycle

import (
	"strings"
	"time"
)

// Object is what a rule is matched against: an object's key, size, creation (last
// modification) time and tags. TagsKnown is false when the caller has not read the tags
// (a listing): tag conditions then count as met, and the decision is taken again on the
// object itself before anything is deleted.
type Object struct {
	Key       string
	Size      int64
	Modified  time.Time
	Tags      map[string]string
	TagsKnown bool
}

// selector is a rule's filter in one shape, whichever form the document used.
type selector struct {
	prefix string
	tags   []Tag
	gt, lt *int64
}

func (r *Rule) selector() selector {
	switch {
	case r.Prefix != nil:
		return selector{prefix: *r.Prefix}
	case r.Filter == nil:
		return selector{}
	}
	f := r.Filter
	s := selector{gt: f.ObjectSizeGreaterThan, lt: f.ObjectSizeLessThan}
	if f.Prefix != nil {
		s.prefix = *f.Prefix
	}
	if f.Tag != nil {
		s.tags = []Tag{*f.Tag}
	}
	if a := f.And; a != nil {
		s.tags, s.gt, s.lt = a.Tags, a.ObjectSizeGreaterThan, a.ObjectSizeLessThan
		if a.Prefix != nil {
			s.prefix = *a.Prefix
		}
	}
	return s
}

func (s selector) hasTags() bool { return len(s.tags) > 0 }

// matches applies S3's filter semantics: the key starts with the prefix, the object holds
// every tag with its value, and its size is strictly between the bounds.
func (s selector) matches(o Object) bool {
	if !strings.HasPrefix(o.Key, s.prefix) {
		return false
	}
	if s.gt != nil && o.Size <= *s.gt || s.lt != nil && o.Size >= *s.lt {
		return false
	}
	if !o.TagsKnown {
		return true
	}
	for _, t := range s.tags {
		if v, ok := o.Tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// NextMidnight is the first 00:00 UTC strictly after t. S3 "calculates the time by adding
// the number of days specified in the rule to the object creation time and rounding the
// resulting time to the next day midnight UTC": created 2014-01-15 10:30 with Days 3 is
// due 2014-01-19 00:00 (docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html).
// Decision: a sum that falls exactly on a midnight still rounds to the next one, which is
// what "the next day midnight" says and what other implementations do; an object is never
// expired earlier than S3 would.
func NextMidnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
}

// afterDays is NextMidnight of t plus days.
func afterDays(t time.Time, days int) time.Time { return NextMidnight(t.AddDate(0, 0, days)) }

// Due is when a rule's action falls due for an object, and the rule's ID.
type Due struct {
	At     time.Time
	RuleID string
}

// Expiry returns the earliest expiration of the current object o by an enabled rule with
// Expiration Days or Date, ok false when no such rule matches. It does not depend on the
// time now: it is the x-amz-expiration header, and the worker expires o once it has come.
func (c *Configuration) Expiry(o Object) (d Due, ok bool) {
	for i := range c.Rules {
		r := &c.Rules[i]
		e := r.Expiration
		if r.Status != "Enabled" || e == nil || e.Days == nil && e.Date == nil || !r.selector().matches(o) {
			continue
		}
		var at time.Time
		if e.Days != nil {
			at = afterDays(o.Modified, *e.Days)
		} else {
			// Check has validated it; a Date rule expires every matching object on the day,
			// and any written later at once.
			at, _ = ParseDate(*e.Date)
		}
		if !ok || at.Before(d.At) {
			d, ok = Due{At: at, RuleID: r.ID}, true
		}
	}
	return d, ok
}

// AbortDate returns when an enabled AbortIncompleteMultipartUpload rule aborts an upload
// of key initiated at initiated, ok false when none applies. Only the prefix selects
// uploads: Check refuses abort rules with tags, and a size filter, which an upload in
// progress has no size for, keeps the rule from applying to uploads at all.
func (c *Configuration) AbortDate(key string, initiated time.Time) (d Due, ok bool) {
	for i := range c.Rules {
		r := &c.Rules[i]
		a := r.AbortIncompleteMultipartUpload
		if r.Status != "Enabled" || a == nil || a.DaysAfterInitiation == nil {
			continue
		}
		s := r.selector()
		if s.gt != nil || s.lt != nil || !strings.HasPrefix(key, s.prefix) {
			continue
		}
		at := afterDays(initiated, *a.DaysAfterInitiation)
		if !ok || at.Before(d.At) {
			d, ok = Due{At: at, RuleID: r.ID}, true
		}
	}
	return d, ok
}

// hasAbortRules reports whether any enabled rule aborts uploads.
func (c *Configuration) hasAbortRules() bool {
	for _, r := range c.Rules {
		if r.Status == "Enabled" && r.AbortIncompleteMultipartUpload != nil {
			return true
		}
	}
	return false
}

// hasExpiryRules reports whether any enabled rule expires current objects.
func (c *Configuration) hasExpiryRules() bool {
	for _, r := range c.Rules {
		if e := r.Expiration; r.Status == "Enabled" && e != nil && (e.Days != nil || e.Date != nil) {
			return true
		}
	}
	return false
}

// ExpirationHeader is the value of x-amz-expiration for d:
// expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="<url-encoded id>".
func ExpirationHeader(d Due) string {
	return `expiry-date="` + d.At.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT") + `", rule-id="` + urlEncode(d.RuleID) + `"`
}

// urlEncode percent-encodes everything but RFC 3986's unreserved characters, as S3 encodes
// the rule id in x-amz-expiration.
func urlEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
