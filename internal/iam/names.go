package iam

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// Limits of the IAM API (reference §3.2–3.4; AWS API model and IAM quotas).
const (
	maxNameLen           = 64   // role names
	maxPolicyNameLen     = 128  // inline and managed policy names
	maxPathLen           = 512  // role and policy paths
	maxDescriptionLen    = 1000 // role and managed policy descriptions
	maxPolicyDocLen      = 131072
	maxTrustPolicySize   = 2048  // whitespace not counted
	maxInlineAggregate   = 10240 // all inline policies of one role, whitespace not counted
	maxManagedSize       = 6144  // one managed policy, whitespace not counted
	minRoleSession       = 3600
	maxRoleSession       = 43200
	maxTags              = 50
	maxTagKeyLen         = 128
	maxTagValueLen       = 256
	maxProviders         = 100
	maxClientIDs         = 100
	maxClientIDLen       = 255
	maxThumbprints       = 5
	thumbprintLen        = 40
	maxProviderURLLen    = 255
	maxRoles             = 1000
	maxManagedPolicies   = 1500
	maxAttachedPerRole   = 10
	minARNLen, maxARNLen = 20, 2048
)

var (
	namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	// pathPattern is (\u002F)|(\u002F[\u0021-\u007E]+\u002F).
	pathPattern = regexp.MustCompile(`^(/|/[\x21-\x7e]+/)$`)
	// tagPattern is [\p{L}\p{Z}\p{N}_.:/=+\-@]*; keys must also be non-empty.
	tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

const (
	namePatternText = `Member must satisfy regular expression pattern: [\w+=,.@-]+`
	pathPatternText = `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	tagPatternText  = `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	docPatternText  = `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	descPatternText = `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`
)

// checkLength reports a value outside [min, max] characters in the API model's words.
func checkLength(value, field string, min, max int) *Error {
	n := len([]rune(value))
	switch {
	case n < min:
		return validation(value, field, "Member must have length greater than or equal to "+strconv.Itoa(min))
	case n > max:
		return validation(value, field, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
	return nil
}

// checkPattern reports a value outside [min, max] characters or not matching re, whose
// model text is patternText.
func checkPattern(value, field string, min, max int, re *regexp.Regexp, patternText string) *Error {
	if err := checkLength(value, field, min, max); err != nil {
		return err
	}
	if !re.MatchString(value) {
		return validation(value, field, patternText)
	}
	return nil
}

// checkName validates a role or policy name: 1..max characters of [\w+=,.@-].
func checkName(value, field string, max int) *Error {
	return checkPattern(value, field, 1, max, namePattern, namePatternText)
}

// checkPath validates a path; the empty path means "/" and is accepted.
func checkPath(value string) *Error {
	if value == "" {
		return nil
	}
	return checkPattern(value, "path", 1, maxPathLen, pathPattern, pathPatternText)
}

func defaultPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// checkDescription validates a role description (its pattern excludes control characters
// and the C1 range).
func checkDescription(value string) *Error {
	if err := checkLength(value, "description", 0, maxDescriptionLen); err != nil {
		return err
	}
	for _, c := range value {
		if !(c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0x7e) || (c >= 0xa1 && c <= 0xff)) {
			return validation(value, "description", descPatternText)
		}
	}
	return nil
}

// checkDocumentText applies the model's constraints on a policy document parameter: 1 to
// 131,072 characters of tab, newline, carriage return and U+0020–U+00FF. The document is
// not quoted back: it can be long.
func checkDocumentText(doc, field string) *Error {
	if n := len([]rune(doc)); n < 1 || n > maxPolicyDocLen {
		return validation("(policy document)", field, fmt.Sprintf("Member must have length between 1 and %d", maxPolicyDocLen))
	}
	for _, c := range doc {
		if !(c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xff)) {
			return validation("(policy document)", field, docPatternText)
		}
	}
	return nil
}

// checkARN applies the model's length constraint on an ARN parameter.
func checkARN(value, field string) *Error {
	return checkLength(value, field, minARNLen, maxARNLen)
}

// checkTags validates the tags of one request: at most 50, keys 1–128 and values 0–256
// characters of the tag alphabet, keys unique case-insensitively and not in the aws:
// namespace.
func checkTags(tags []store.Tag) *Error {
	if len(tags) > maxTags {
		return validation("(tags)", "tags", "Member must have length less than or equal to 50")
	}
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		field := "tags." + strconv.Itoa(i+1) + ".member."
		if err := checkPattern(t.Key, field+"key", 1, maxTagKeyLen, tagPattern, tagPatternText); err != nil {
			return err
		}
		if err := checkPattern(t.Value, field+"value", 0, maxTagValueLen, tagPattern, tagPatternText); err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errorf(KindInvalidInput, "User-defined tag keys can't start with 'aws:'.")
		}
		if k := strings.ToLower(t.Key); seen[k] {
			return errorf(KindInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		} else {
			seen[k] = true
		}
	}
	return nil
}

// checkTagKeys validates the keys of an Untag* request.
func checkTagKeys(keys []string) *Error {
	if len(keys) > maxTags {
		return validation("(tag keys)", "tagKeys", "Member must have length less than or equal to 50")
	}
	for i, k := range keys {
		field := "tagKeys." + strconv.Itoa(i+1) + ".member"
		if err := checkPattern(k, field, 1, maxTagKeyLen, tagPattern, tagPatternText); err != nil {
			return err
		}
	}
	return nil
}

// mergeTags adds tags to current, a tag replacing the one of the same key (compared
// case-insensitively, as IAM does); quota names the entity's tag quota for the refusal.
func mergeTags(current, tags []store.Tag, quota string) ([]store.Tag, *Error) {
	out := make([]store.Tag, 0, len(current)+len(tags))
	for _, c := range current {
		if !hasTagKey(tags, c.Key) {
			out = append(out, c)
		}
	}
	out = append(out, tags...)
	if len(out) > maxTags {
		return nil, quotaExceeded(quota, maxTags)
	}
	return out, nil
}

// removeTags drops the tags whose keys are in keys (case-insensitively); absent keys are
// ignored, as IAM ignores them.
func removeTags(current []store.Tag, keys []string) []store.Tag {
	var out []store.Tag
	for _, c := range current {
		drop := false
		for _, k := range keys {
			drop = drop || strings.EqualFold(k, c.Key)
		}
		if !drop {
			out = append(out, c)
		}
	}
	return out
}

func hasTagKey(tags []store.Tag, key string) bool {
	for _, t := range tags {
		if strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}

// quotaExceeded is IAM's refusal past one of its quotas.
func quotaExceeded(quota string, limit int) *Error {
	return errorf(KindLimitExceeded, "Cannot exceed quota for %s: %d", quota, limit)
}

// underQuota checks, before a create, that the count entities already listed (err: the
// listing failed) leaves room under the quota.
func underQuota(count int, err error, quota string, limit int) error {
	if err != nil {
		return serviceFailure(err)
	}
	if count >= limit {
		return quotaExceeded(quota, limit)
	}
	return nil
}

// newID returns prefix followed by 16 characters of upper-case base32 (80 random bits), the
// shape of IAM's unique ids (AROA… for roles, ANPA… for managed policies).
func (s *Service) newID(prefix string) (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(s.opt.Rand, b[:]); err != nil {
		return "", serviceFailure(fmt.Errorf("iam: random id: %w", err))
	}
	return prefix + base32.StdEncoding.EncodeToString(b[:]), nil
}

// serviceFailureMessage is the text of IAM's ServiceFailure.
const serviceFailureMessage = "The request processing has failed because of an unknown error, exception or failure."

// unavailableMessage is what a caller reads when the store is unreachable.
const unavailableMessage = "The service is temporarily unavailable. Try again."

// serviceFailure is the error for a failure that is not the caller's: KindUnavailable when
// the store could not be reached (the caller may retry), KindServiceFailure otherwise.
func serviceFailure(err error) *Error {
	if errors.Is(err, store.ErrUnavailable) {
		return &Error{Kind: KindUnavailable, Message: unavailableMessage, Reason: err.Error(), Err: err}
	}
	return &Error{Kind: KindServiceFailure, Message: serviceFailureMessage, Reason: err.Error(), Err: err}
}

// storeError turns a store error into the domain's: missing becomes notFound (nil: a
// service failure), ErrExists and ErrConflict become the given errors when not nil, an
// *Error from a caller's function comes back as it is, and anything else is a service
// failure.
func storeError(err error, notFound, exists, conflict *Error) error {
	var de *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de):
		return de
	case errors.Is(err, store.ErrNotFound) && notFound != nil:
		return withCause(notFound, err)
	case errors.Is(err, store.ErrExists) && exists != nil:
		return withCause(exists, err)
	case errors.Is(err, store.ErrConflict) && conflict != nil:
		return withCause(conflict, err)
	case errors.Is(err, store.ErrInvalid):
		// The store refuses text the API model let through (NUL bytes, invalid UTF-8).
		e := errorf(KindInvalidInput, "The request contains text that cannot be stored (invalid UTF-8 or a NUL character).")
		return withCause(e, err)
	}
	return serviceFailure(err)
}

func withCause(e *Error, cause error) *Error {
	c := *e
	c.Err = cause
	c.Reason = cause.Error()
	return &c
}

// write runs fn, one write to the store, under the write lock and, when it succeeded,
// recompiles the configuration so that the next decision sees it.
func (s *Service) write(ctx context.Context, fn func() error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := fn(); err != nil {
		return err
	}
	if err := s.Reload(ctx); err != nil {
		s.opt.Logger.Error("configuration written but not reloaded; decisions use the previous configuration until the next reload", "err", err)
		if errors.Is(err, store.ErrUnavailable) {
			// The write is committed: answering a retryable error would make the caller
			// apply it twice. The refresh loop reloads once the store answers again.
			return nil
		}
		return serviceFailure(err)
	}
	return nil
}

// parseDocument checks a policy document parameter against the API model and parses it as
// kind; a document that does not parse is KindMalformedPolicy with the parser's explanation
// (which names the place and never quotes more than the offending element).
func parseDocument(doc, field string, kind policy.Kind) (*policy.Policy, *Error) {
	if err := checkDocumentText(doc, field); err != nil {
		return nil, err
	}
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		return nil, &Error{Kind: KindMalformedPolicy, Message: err.Error(), Reason: err.Error(), Err: err}
	}
	return p, nil
}
