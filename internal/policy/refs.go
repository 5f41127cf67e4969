package policy

import (
	"slices"
	"strings"
)

// References reports whether the policy names a condition key or a policy variable that
// starts with prefix (compared lower-cased), anywhere in the document: as a key of a
// condition, or as ${variable} in a value, a resource or an action. A caller uses it to
// skip reading the values of a costly key (s3:ExistingObjectTag/…) that no policy of the
// request can consult; it errs on the side of true (any JSON member name counts).
func (p *Policy) References(prefix string) bool {
	prefix = strings.ToLower(prefix)
	i, _ := slices.BinarySearch(p.refs, prefix)
	return i < len(p.refs) && strings.HasPrefix(p.refs[i], prefix)
}

// referenced collects, lower-cased, sorted and unique, every member name of the document
// and every ${…} variable in its strings.
func referenced(root *jsonValue) []string {
	var out []string
	var walk func(v *jsonValue)
	walk = func(v *jsonValue) {
		for _, k := range v.keys {
			out = append(out, strings.ToLower(k))
		}
		if v.kind == jsonString {
			rest := v.text
			for {
				_, after, ok := strings.Cut(rest, "${")
				if !ok {
					break
				}
				name, tail, ok := strings.Cut(after, "}")
				if !ok {
					break
				}
				out = append(out, strings.ToLower(name))
				rest = tail
			}
		}
		for _, item := range v.items {
			walk(item)
		}
	}
	walk(root)
	slices.Sort(out)
	return slices.Compact(out)
}
