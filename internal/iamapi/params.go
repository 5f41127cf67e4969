package iamapi

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/store"
)

// params decodes one call's parameters. The first problem is kept in err and later reads
// return zero values, so that an operation reads everything and checks err once.
type params struct {
	c   *awsquery.Call
	err error
}

func newParams(c *awsquery.Call) *params { return &params{c: c} }

// member is the API model's name of a parameter in messages: RoleName → roleName.
func member(name string) string {
	if name == "" {
		return name
	}
	r := []rune(name)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func (p *params) fail(message string) {
	if p.err == nil {
		p.err = validationError(message)
	}
}

func (p *params) notNull(field string) {
	p.fail("1 validation error detected: Value null at '" + field + "' failed to satisfy constraint: Member must not be null")
}

// required returns a parameter that must be present (it may be empty; the domain checks
// lengths).
func (p *params) required(name string) string {
	if p.err != nil {
		return ""
	}
	if !p.c.Params.Has(name) {
		p.notNull(member(name))
		return ""
	}
	return p.c.Params.Get(name)
}

// optional returns a parameter, "" when absent.
func (p *params) optional(name string) string {
	if p.err != nil {
		return ""
	}
	return p.c.Params.Get(name)
}

// optionalPtr returns a parameter, nil when absent: for fields where empty means "clear".
func (p *params) optionalPtr(name string) *string {
	if p.err != nil || !p.c.Params.Has(name) {
		return nil
	}
	v := p.c.Params.Get(name)
	return &v
}

// integer returns an optional integer parameter, 0 when absent.
func (p *params) integer(name string) int {
	v := p.optional(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail("1 validation error detected: Value '" + v + "' at '" + member(name) + "' failed to satisfy constraint: Member must be a number")
		return 0
	}
	return n
}

// boolean returns an optional boolean parameter, false when absent.
func (p *params) boolean(name string) bool {
	switch v := p.optional(name); v {
	case "", "false":
		return false
	case "true":
		return true
	default:
		p.fail("1 validation error detected: Value '" + v + "' at '" + member(name) + "' failed to satisfy constraint: Member must be true or false")
		return false
	}
}

// list returns the members of Name.member.N. A list the client sent empty comes as the
// bare parameter "Name=" and is an empty list; required lists must be present in one form.
func (p *params) list(name string, required bool) []string {
	if p.err != nil {
		return nil
	}
	vs, ok := p.c.List(name)
	if !ok {
		p.fail("1 validation error detected: Value at '" + member(name) + "' failed to satisfy constraint: Member must be a list numbered " + name + ".member.1, " + name + ".member.2, …")
		return nil
	}
	if required && len(vs) == 0 && !p.c.Params.Has(name) {
		p.notNull(member(name))
	}
	return vs
}

// tags returns Tags.member.N.Key / .Value; a tag without Key or Value is refused as the
// model requires both.
func (p *params) tags(name string) []store.Tag {
	if p.err != nil {
		return nil
	}
	structs, ok := p.c.Structs(name)
	if !ok {
		p.fail("1 validation error detected: Value at '" + member(name) + "' failed to satisfy constraint: Member must be a list numbered " + name + ".member.N.Key / .Value")
		return nil
	}
	out := make([]store.Tag, 0, len(structs))
	for i, s := range structs {
		field := member(name) + "." + strconv.Itoa(i+1) + ".member."
		k, hasK := s["Key"]
		v, hasV := s["Value"]
		if !hasK {
			p.notNull(field + "key")
			return nil
		}
		if !hasV {
			p.notNull(field + "value")
			return nil
		}
		out = append(out, store.Tag{Key: k, Value: v})
	}
	return out
}

// Paging of List* actions: MaxItems (1–1000, default 100) and an opaque Marker that names
// the first item of the next page by its sort key.
const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

type pageRequest struct {
	max    int
	marker string // the sort key to start from; "" for the first page
}

func (p *params) page() pageRequest {
	pr := pageRequest{max: defaultMaxItems}
	if n := p.integer("MaxItems"); n != 0 || p.c.Params.Has("MaxItems") {
		v := strconv.Itoa(n)
		switch {
		case n < 1:
			p.fail("1 validation error detected: Value '" + v + "' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
		case n > maxMaxItems:
			p.fail("1 validation error detected: Value '" + v + "' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
		}
		pr.max = n
	}
	if m := p.optional("Marker"); m != "" {
		key, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil || len(key) == 0 {
			p.fail("1 validation error detected: Value '" + m + "' at 'marker' failed to satisfy constraint: Member must be a marker returned by the previous call")
		}
		pr.marker = string(key)
	}
	return pr
}

// paged is the part of a List* result that says whether there is more.
type paged struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// pageOf returns the page of items (sorted by key) that pr asks for, and its paging
// elements. Items whose key sorts before the marker were on earlier pages; an item deleted
// between calls is simply skipped.
func pageOf[T any](items []T, key func(T) string, pr pageRequest) ([]T, paged) {
	start := 0
	if pr.marker != "" {
		for start < len(items) && strings.Compare(key(items[start]), pr.marker) < 0 {
			start++
		}
	}
	items = items[start:]
	if len(items) <= pr.max {
		return items, paged{}
	}
	next := base64.RawURLEncoding.EncodeToString([]byte(key(items[pr.max])))
	return items[:pr.max], paged{IsTruncated: true, Marker: next}
}
