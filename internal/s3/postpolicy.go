package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// postPolicy is the decoded policy of a browser POST form: when it expires, and the
// conditions every form field and the file must meet
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html).
type postPolicy struct {
	expiration time.Time
	conditions []postCondition
	// minSize and maxSize are content-length-range's bounds; maxSize -1 when unbounded.
	minSize, maxSize int64
}

// postCondition is one eq or starts-with condition on a form field (lower-case name,
// "bucket" included). raw is the condition as S3 quotes it in a refusal.
type postCondition struct {
	op, field, value, raw string
}

// maxPostPolicySize bounds the decoded policy document. S3 bounds the form fields before the
// file at 20 KB in all (maxFormFields), which bounds the policy already; this is for
// clarity of the error.
const maxPostPolicySize = 20 << 10

// parsePostPolicy decodes and checks the base64 policy. Its grammar is strict: a JSON
// object with "expiration" (ISO 8601 with milliseconds or without) and "conditions", each
// a one-pair object {"field": "value"} or an array ["eq"|"starts-with", "$field", "value"]
// or ["content-length-range", min, max] with non-negative integers. Anything else is S3's
// 400 InvalidPolicyDocument. Unknown top-level keys are refused too (decision: S3's answer
// to them is not documented; failing closed cannot widen a form's grant).
func parsePostPolicy(b64 string) (*postPolicy, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) > maxPostPolicySize {
		return nil, invalidPolicy("the policy is not base64", err)
	}
	var doc struct {
		Expiration *string            `json:"expiration"`
		Conditions *[]json.RawMessage `json:"conditions"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, invalidPolicy("the policy is not a JSON object of expiration and conditions", err)
	}
	if doc.Expiration == nil {
		return nil, invalidPolicy("Invalid Policy: Policy missing expiration.", nil)
	}
	if doc.Conditions == nil {
		return nil, invalidPolicy("Invalid Policy: Policy missing conditions.", nil)
	}
	p := &postPolicy{maxSize: -1}
	if p.expiration, err = time.Parse(time.RFC3339Nano, *doc.Expiration); err != nil {
		return nil, invalidPolicy("Invalid Policy: Invalid 'expiration' value: "+strconv.Quote(*doc.Expiration), err)
	}
	for _, c := range *doc.Conditions {
		if err := p.addCondition(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addCondition parses one condition.
func (p *postPolicy) addCondition(raw json.RawMessage) error {
	var pair map[string]string
	if json.Unmarshal(raw, &pair) == nil {
		if len(pair) != 1 {
			return invalidPolicy("Invalid Policy: a condition object must hold exactly one field: "+string(raw), nil)
		}
		for k, v := range pair {
			p.conditions = append(p.conditions, postCondition{op: "eq", field: strings.ToLower(k), value: v, raw: string(raw)})
		}
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 3 {
		return invalidPolicy("Invalid Policy: Invalid Simple-Condition: "+string(raw), err)
	}
	var op string
	if err := json.Unmarshal(list[0], &op); err != nil {
		return invalidPolicy("Invalid Policy: Invalid Simple-Condition: "+string(raw), err)
	}
	switch strings.ToLower(op) {
	case "content-length-range":
		lo, errLo := lengthBound(list[1])
		hi, errHi := lengthBound(list[2])
		if errLo != nil || errHi != nil || lo > hi {
			return invalidPolicy("Invalid Policy: Invalid content-length-range: "+string(raw), nil)
		}
		p.minSize, p.maxSize = lo, hi
		return nil
	case "eq", "starts-with":
		var field, value string
		if json.Unmarshal(list[1], &field) != nil || json.Unmarshal(list[2], &value) != nil || !strings.HasPrefix(field, "$") {
			return invalidPolicy("Invalid Policy: Invalid Simple-Condition: "+string(raw), nil)
		}
		p.conditions = append(p.conditions, postCondition{op: strings.ToLower(op), field: strings.ToLower(field[1:]), value: value, raw: string(raw)})
		return nil
	}
	return invalidPolicy("Invalid Policy: Invalid Condition: unknown operation "+strconv.Quote(op), nil)
}

// lengthBound reads a content-length-range bound: a non-negative JSON integer. (Decision:
// S3's own tests refuse negative and missing bounds; a quoted number is refused too.)
func lengthBound(raw json.RawMessage) (int64, error) {
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err == nil && v < 0 {
		err = strconv.ErrRange
	}
	return v, err
}

// check applies the policy to the form (lower-case field names) aimed at bucket at time
// now: not expired, every condition holds, and every field but the exempt ones is named
// by a condition. The answer to a failure is S3's 403 AccessDenied quoting it.
func (p *postPolicy) check(fields map[string]string, bucket string, now time.Time) error {
	if !now.Before(p.expiration) {
		return policyRefusal("Invalid according to Policy: Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.conditions {
		v, ok := fields[c.field]
		if c.field == "bucket" {
			v, ok = bucket, true
		}
		covered[c.field] = true
		if !ok || !c.holds(v) {
			return policyRefusal("Invalid according to Policy: Policy Condition failed: " + c.raw)
		}
	}
	for name := range fields {
		if !covered[name] && !exemptField(name) {
			return policyRefusal("Invalid according to Policy: Extra input fields: " + name)
		}
	}
	return nil
}

// holds reports whether v meets the condition. A starts-with on Content-Type is checked
// for each item of a comma-separated list, as S3 documents it; "" matches anything.
func (c postCondition) holds(v string) bool {
	if c.op == "eq" {
		return v == c.value
	}
	if c.field != "content-type" {
		return strings.HasPrefix(v, c.value)
	}
	for _, item := range strings.Split(v, ",") {
		if !strings.HasPrefix(strings.TrimSpace(item), c.value) {
			return false
		}
	}
	return true
}

// exemptField reports whether a form field needs no condition: the signature, the policy,
// the file and x-ignore-* fields (S3's documented exemptions), and x-amz-security-token
// (decision: botocore's generate_presigned_post names the token in the policy, but some
// signers do not, and the token is checked against the signing key anyway).
func exemptField(name string) bool {
	switch name {
	case "policy", "x-amz-signature", "file", "x-amz-security-token":
		return true
	}
	return strings.HasPrefix(name, "x-ignore-")
}

func invalidPolicy(why string, cause error) *Error {
	e := errInvalidPolicyDocument.because(why, cause)
	if strings.HasPrefix(why, "Invalid Policy") {
		e.Message = why
	}
	return e
}

func policyRefusal(msg string) *Error {
	e := errAccessDenied.because(msg, nil)
	e.Message = msg
	return e
}
