package policy

import (
	"errors"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Parse parses and compiles a policy document of the given kind
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
// It is strict: unknown elements, duplicate keys (also condition keys differing only in
// case), a Version other than 2012-10-17 or 2008-10-17, an empty Statement, a missing Effect
// or Action, both or neither of each exclusive pair, a Principal in an identity or session
// policy, a Resource in a trust policy, unknown condition operators and values the operator
// cannot read are all refused. Every error is a *ParseError wrapping ErrMalformed whose Path
// names the place, e.g. "Statement[1].Condition.StringLike".
func Parse(doc []byte, kind Kind) (*Policy, error) {
	if kind < Identity || kind > Trust {
		return nil, malformed("", "unknown policy kind %d", int(kind))
	}
	root, err := decodeJSON(doc)
	if err != nil {
		return nil, malformed("", "%v", err)
	}
	if root.kind != jsonObject {
		return nil, malformed("", "a policy document must be a JSON object, not %s", root.kind)
	}
	p := &Policy{kind: kind, size: compactSize(doc), refs: referenced(root)}
	for i, key := range root.keys {
		v := root.items[i]
		switch key {
		case "Version":
			p.version, err = stringElement(key, v)
			if err == nil && p.version != Version2012 && p.version != Version2008 {
				err = malformed(key, "%q is not a policy language version (use %q)", p.version, Version2012)
			}
		case "Id":
			p.id, err = stringElement(key, v)
		case "Statement":
		default:
			err = malformed(key, "unknown element %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	if p.stmts, err = parseStatements(root.member("Statement"), kind, p.version == Version2012); err != nil {
		return nil, err
	}
	return p, nil
}

func stringElement(path string, v *jsonValue) (string, error) {
	if v.kind != jsonString {
		return "", malformed(path, "must be a string, not %s", v.kind)
	}
	return v.text, nil
}

func parseStatements(v *jsonValue, kind Kind, variables bool) ([]*Statement, error) {
	switch {
	case v == nil:
		return nil, malformed("", "missing element \"Statement\"")
	case v.kind == jsonObject:
		st, err := parseStatement(v, "Statement", 0, kind, variables)
		return []*Statement{st}, err
	case v.kind != jsonArray:
		return nil, malformed("Statement", "must be an object or an array of objects, not %s", v.kind)
	case len(v.items) == 0:
		return nil, malformed("Statement", "must hold at least one statement")
	}
	out := make([]*Statement, len(v.items))
	sids := map[string]int{}
	for i, item := range v.items {
		path := "Statement[" + strconv.Itoa(i) + "]"
		st, err := parseStatement(item, path, i, kind, variables)
		if err != nil {
			return nil, err
		}
		if j, dup := sids[st.sid]; dup && st.sid != "" {
			return nil, malformed(path+".Sid", "%q is also the Sid of Statement[%d]; Sids must be unique", st.sid, j)
		}
		sids[st.sid] = i
		out[i] = st
	}
	return out, nil
}

// statementElements are the elements a statement may hold.
func isStatementElement(key string) bool {
	switch key {
	case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		return true
	}
	return false
}

func parseStatement(v *jsonValue, path string, index int, kind Kind, variables bool) (*Statement, error) {
	if v.kind != jsonObject {
		return nil, malformed(path, "a statement must be an object, not %s", v.kind)
	}
	for _, key := range v.keys {
		if !isStatementElement(key) {
			return nil, malformed(path, "unknown element %q", key)
		}
	}
	st := &Statement{index: index, path: path}
	steps := []func() error{
		func() error { return parseSid(v, path, kind, st) },
		func() error { return parseEffect(v, path, st) },
		func() error { return parsePrincipalElement(v, path, kind, st) },
		func() error { return parseActions(v, path, st) },
		func() error { return parseResources(v, path, kind, variables, st) },
		func() error { return parseConditions(v.member("Condition"), path+".Condition", variables, st) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func parseSid(v *jsonValue, path string, kind Kind, st *Statement) error {
	sv := v.member("Sid")
	if sv == nil {
		return nil
	}
	sid, err := stringElement(path+".Sid", sv)
	if err != nil {
		return err
	}
	// IAM (identity, session and trust policies) allows only ASCII letters and digits;
	// resource policies such as bucket policies allow any text.
	if kind != Resource && strings.IndexFunc(sid, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) >= 0 {
		return malformed(path+".Sid", "%q: a Sid holds only ASCII letters and digits", sid)
	}
	st.sid = sid
	return nil
}

func parseEffect(v *jsonValue, path string, st *Statement) error {
	ev := v.member("Effect")
	if ev == nil {
		return malformed(path, "missing element \"Effect\"")
	}
	effect, err := stringElement(path+".Effect", ev)
	if err != nil {
		return err
	}
	switch effect {
	case "Allow":
	case "Deny":
		st.deny = true
	default:
		return malformed(path+".Effect", "%q must be \"Allow\" or \"Deny\"", effect)
	}
	return nil
}

// exclusive returns the one of two exclusive elements a statement holds, naming it; both is
// an error, neither returns a nil value.
func exclusive(v *jsonValue, path, a, b string) (*jsonValue, string, error) {
	va, vb := v.member(a), v.member(b)
	switch {
	case va != nil && vb != nil:
		return nil, "", malformed(path, "%q and %q cannot both be present", a, b)
	case va != nil:
		return va, a, nil
	case vb != nil:
		return vb, b, nil
	}
	return nil, "", nil
}

// stringList reads a string or a non-empty array of strings.
func stringList(v *jsonValue, path string) ([]string, error) {
	switch v.kind {
	case jsonString:
		return []string{v.text}, nil
	case jsonArray:
		if len(v.items) == 0 {
			return nil, malformed(path, "must not be an empty list")
		}
		out := make([]string, len(v.items))
		for i, item := range v.items {
			if item.kind != jsonString {
				return nil, malformed(path+"["+strconv.Itoa(i)+"]", "must be a string, not %s", item.kind)
			}
			out[i] = item.text
		}
		return out, nil
	}
	return nil, malformed(path, "must be a string or a list of strings, not %s", v.kind)
}

func parseActions(v *jsonValue, path string, st *Statement) error {
	av, name, err := exclusive(v, path, "Action", "NotAction")
	if err != nil {
		return err
	}
	if av == nil {
		return malformed(path, "missing element \"Action\" or \"NotAction\"")
	}
	values, err := stringList(av, path+"."+name)
	if err != nil {
		return err
	}
	st.notAction = name == "NotAction"
	for i, s := range values {
		a, reason := newActionPattern(s)
		if reason != "" {
			return malformed(itemPath(path+"."+name, i, len(values)), "%q: %s", s, reason)
		}
		st.actions = append(st.actions, a)
	}
	return nil
}

func itemPath(path string, i, n int) string {
	if n == 1 {
		return path
	}
	return path + "[" + strconv.Itoa(i) + "]"
}

func parseResources(v *jsonValue, path string, kind Kind, variables bool, st *Statement) error {
	rv, name, err := exclusive(v, path, "Resource", "NotResource")
	switch {
	case err != nil:
		return err
	case kind == Trust && rv != nil:
		return malformed(path+"."+name, "a trust policy has no %q element: the role is the resource", name)
	case kind == Trust:
		return nil
	case rv == nil && kind == Resource:
		return malformed(path, "missing element \"Resource\" or \"NotResource\" (a role trust policy is parsed as policy.Trust)")
	case rv == nil:
		return malformed(path, "missing element \"Resource\" or \"NotResource\"")
	}
	values, err := stringList(rv, path+"."+name)
	if err != nil {
		return err
	}
	st.hasResource, st.notResource = true, name == "NotResource"
	for i, s := range values {
		r, reason := newResourcePattern(s, variables)
		if reason != "" {
			return malformed(itemPath(path+"."+name, i, len(values)), "%q: %s", s, reason)
		}
		st.resources = append(st.resources, r)
	}
	return nil
}

func parsePrincipalElement(v *jsonValue, path string, kind Kind, st *Statement) error {
	pv, name, err := exclusive(v, path, "Principal", "NotPrincipal")
	switch {
	case err != nil:
		return err
	case pv != nil && (kind == Identity || kind == Session):
		return malformed(path+"."+name, "%q is not allowed in an identity or session policy", name)
	case pv == nil && (kind == Resource || kind == Trust):
		return malformed(path, "a %s needs a \"Principal\" or \"NotPrincipal\" element", kind)
	case pv == nil:
		return nil
	}
	set, err := parsePrincipalSet(pv, path+"."+name)
	if err != nil {
		return err
	}
	st.principal, st.notPrincipal = set, name == "NotPrincipal"
	return nil
}

func parsePrincipalSet(v *jsonValue, path string) (*principalSet, error) {
	switch {
	case v.kind == jsonString && v.text == "*":
		return &principalSet{star: true}, nil
	case v.kind == jsonString:
		return nil, malformed(path, "%q: a principal is \"*\" or an object such as {\"AWS\": …}", v.text)
	case v.kind != jsonObject:
		return nil, malformed(path, "must be \"*\" or an object, not %s", v.kind)
	case len(v.keys) == 0:
		return nil, malformed(path, "names no principal")
	}
	set := &principalSet{}
	for i, typ := range v.keys {
		switch typ {
		case "AWS", "Federated", "Service", "CanonicalUser":
		default:
			return nil, malformed(path, "unknown principal type %q (AWS, Federated, Service or CanonicalUser)", typ)
		}
		values, err := stringList(v.items[i], path+"."+typ)
		if err != nil {
			return nil, err
		}
		for j, s := range values {
			e, reason := newPrincipalEntry(typ, s)
			if reason != "" {
				return nil, malformed(itemPath(path+"."+typ, j, len(values)), "%q: %s", s, reason)
			}
			set.entries = append(set.entries, e)
		}
	}
	return set, nil
}

func parseConditions(v *jsonValue, path string, variables bool, st *Statement) error {
	if v == nil {
		return nil
	}
	if v.kind != jsonObject {
		return malformed(path, "must be an object, not %s", v.kind)
	}
	for i, op := range v.keys {
		block := v.items[i]
		opPath := path + "." + op
		if _, err := condition.ParseOperator(op); err != nil {
			return malformed(opPath, "%v", err)
		}
		if block.kind != jsonObject || len(block.keys) == 0 {
			return malformed(opPath, "must be an object of condition keys and values")
		}
		seen := map[string]string{}
		for j, key := range block.keys {
			keyPath := opPath + "." + key
			if prev, dup := seen[strings.ToLower(key)]; dup {
				return malformed(keyPath, "repeats condition key %q (keys are case-insensitive)", prev)
			}
			seen[strings.ToLower(key)] = key
			clause, err := parseClause(op, key, block.items[j], keyPath, variables)
			if err != nil {
				return err
			}
			st.conditions = append(st.conditions, clause)
		}
	}
	return nil
}

func parseClause(op, key string, v *jsonValue, path string, variables bool) (*condition.Clause, error) {
	values, err := conditionValues(v, path)
	if err != nil {
		return nil, err
	}
	c, err := condition.Compile(op, key, values, variables)
	if err != nil {
		var ve *condition.ValueError
		if errors.As(err, &ve) {
			path = itemPath(path, ve.Index, len(values))
		}
		return nil, malformed(path, "%v", err)
	}
	return c, nil
}

// conditionValues reads a condition value: a string, number or boolean, or a non-empty list
// of them (AWS accepts "NumericLessThan": {"s3:max-keys": 10} and "Bool": {…: true}).
func conditionValues(v *jsonValue, path string) ([]string, error) {
	items := []*jsonValue{v}
	if v.kind == jsonArray {
		if len(v.items) == 0 {
			return nil, malformed(path, "must not be an empty list")
		}
		items = v.items
	}
	out := make([]string, len(items))
	for i, item := range items {
		switch item.kind {
		case jsonString, jsonNumber, jsonBool:
			out[i] = item.text
		default:
			return nil, malformed(itemPath(path, i, len(items)), "a condition value must be a string, number or boolean, not %s", item.kind)
		}
	}
	return out, nil
}
