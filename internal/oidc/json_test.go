package oidc

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseJSONObjectAcceptsWhatRFC8259AllowsWithoutDuplicates(t *testing.T) {
	for _, c := range []struct{ name, in string }{
		{"an empty object", `{}`},
		{"whitespace around and inside", " \t\r\n{ \"a\" : 1 , \"b\" : [ ] }\n"},
		{"every value type", `{"s":"x","n":-1.5e+3,"z":0,"t":true,"f":false,"u":null,"a":[1,"2",{}],"o":{"p":{}}}`},
		{"escapes", `{"e":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`},
		{"raw UTF-8", `{"é":"日本"}`},
		{"the same name in sibling objects", `{"a":{"x":1},"b":{"x":1}}`},
		{"an escaped NUL", `{"a":"\u0000"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseJSONObject(c.in)
			if err != nil {
				t.Fatal(err)
			}
			want := stdDecode(t, c.in)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, encoding/json gives %#v", got, want)
			}
		})
	}
}

func TestParseJSONObjectRefusesDuplicatesAndEverythingLenient(t *testing.T) {
	for _, c := range []struct{ name, in string }{
		{"a duplicate name", `{"a":1,"a":1}`},
		{"a duplicate name spelled with an escape", `{"a":1,"\u0061":2}`},
		{"a duplicate in a nested object", `{"x":[{"a":1,"a":2}]}`},
		{"an array at the top", `[1]`},
		{"a string at the top", `"a"`},
		{"nothing", ``},
		{"trailing data", `{} {}`},
		{"a trailing comma in an object", `{"a":1,}`},
		{"a trailing comma in an array", `{"a":[1,]}`},
		{"a single-quoted string", `{'a':1}`},
		{"an unquoted name", `{a:1}`},
		{"a leading zero", `{"a":01}`},
		{"a leading plus", `{"a":+1}`},
		{"a bare decimal point", `{"a":1.}`},
		{"NaN", `{"a":NaN}`},
		{"a raw control character", "{\"a\":\"\x01\"}"},
		{"a raw newline in a string", "{\"a\":\"\n\"}"},
		{"invalid UTF-8", "{\"a\":\"\xff\"}"},
		{"an overlong UTF-8 encoding", "{\"a\":\"\xc0\xaf\"}"},
		{"a lone high surrogate", `{"a":"\ud800"}`},
		{"a lone low surrogate", `{"a":"\udc00"}`},
		{"a high surrogate followed by a non-surrogate", `{"a":"\ud800\u0041"}`},
		{"a bad escape", `{"a":"\x"}`},
		{"a short unicode escape", `{"a":"\u12"}`},
		{"an unterminated string", `{"a":"b`},
		{"an unterminated object", `{"a":1`},
		{"a comment", `{"a":1/*c*/}`},
		{"truncated true", `{"a":tru}`},
		{"nesting deeper than the limit", `{"a":` + strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1) + `}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if m, err := parseJSONObject(c.in); err == nil {
				t.Fatalf("accepted as %#v", m)
			}
		})
	}
}

func stdDecode(t testing.TB, s string) map[string]any {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return m
}

// FuzzParseJSONObject checks the strict parser against encoding/json: what it
// accepts, encoding/json accepts with the same result; what encoding/json
// accepts as an object, the strict parser refuses only for a duplicate name,
// invalid UTF-8, a lone surrogate or excessive nesting.
func FuzzParseJSONObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.5e3,"x\u00e9",{"b":null}]}`, `{"a":1,"a":2}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseJSONObject(s)
		var want map[string]any
		var stdErr error = errTrailing
		if json.Valid([]byte(s)) { // exactly one value, nothing after it
			d := json.NewDecoder(strings.NewReader(s))
			d.UseNumber()
			stdErr = d.Decode(&want)
		}
		if err == nil {
			if stdErr != nil {
				t.Fatalf("strict parser accepted what encoding/json refuses (%v)", stdErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %#v, encoding/json gives %#v", got, want)
			}
			return
		}
		if stdErr == nil && want != nil && utf8.ValidString(s) && !strings.Contains(s, `\u`) && !bytes.Contains([]byte(s), []byte("[[[[[[[[")) && !hasDuplicate(s) {
			t.Fatalf("strict parser refused (%v) what encoding/json accepts", err)
		}
	})
}

var errTrailing = &jsonError{msg: "trailing data"}

// hasDuplicate reports whether s, valid JSON, has an object with a repeated
// name, using encoding/json's tokenizer.
func hasDuplicate(s string) bool {
	d := json.NewDecoder(strings.NewReader(s))
	type frame struct {
		obj     bool
		names   map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.obj && top.wantKey
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.obj {
					top.wantKey = true
				}
				stack = append(stack, &frame{obj: v == '{', names: map[string]bool{}, wantKey: true})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if isKey {
				if top.names[v] {
					return true
				}
				top.names[v] = true
				top.wantKey = false
				continue
			}
		}
		if top != nil && top.obj {
			top.wantKey = true
		}
	}
}

// TestSkipPlainStopsAtTheFirstSpecialByte checks the eight-bytes-at-a-time
// scan against a byte loop, for every special byte at every position (and none) of
// strings up to 24 bytes, starting at every offset.
func TestSkipPlainStopsAtTheFirstSpecialByte(t *testing.T) {
	naive := func(s string, i int) int {
		for i < len(s) && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\' {
			i++
		}
		return i
	}
	specials := []byte{'"', '\\', 0x00, 0x1f, 0x80, 0xff, 0xc3}
	plain := []byte{' ', 'a', '~', 0x7f, '!', '#', '[', ']'}
	for n := 0; n <= 24; n++ {
		for pos := -1; pos < n; pos++ { // -1: no special byte at all
			for _, sp := range specials {
				b := make([]byte, n)
				for i := range b {
					b[i] = plain[i%len(plain)]
				}
				if pos >= 0 {
					b[pos] = sp
				}
				s := string(b)
				for start := 0; start <= n; start++ {
					if got, want := skipPlain(s, start), naive(s, start); got != want {
						t.Fatalf("skipPlain(%q, %d) = %d, want %d", s, start, got, want)
					}
				}
			}
		}
	}
}
