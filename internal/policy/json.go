package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// jsonKind is the type of a decoded JSON value.
type jsonKind uint8

const (
	jsonObject jsonKind = iota
	jsonArray
	jsonString
	jsonNumber
	jsonBool
	jsonNull
)

// String names the kind in a message: "an object".
func (k jsonKind) String() string {
	return [...]string{"an object", "an array", "a string", "a number", "a boolean", "null"}[k]
}

// jsonValue is a decoded JSON value that keeps the order of object members, so that
// duplicate keys can be refused and conditions evaluated in document order.
type jsonValue struct {
	kind  jsonKind
	text  string       // string value, number text, "true"/"false"
	keys  []string     // object member names, in order
	items []*jsonValue // object member values or array elements, in order
}

// member returns the value of object member name, or nil.
func (v *jsonValue) member(name string) *jsonValue {
	for i, k := range v.keys {
		if k == name {
			return v.items[i]
		}
	}
	return nil
}

// maxDepth bounds nesting: a policy needs four levels (document, statement, condition,
// operator) plus lists; anything deeper is refused before it costs stack.
const maxDepth = 16

// decodeJSON decodes exactly one JSON value from doc, refusing duplicate object keys and
// trailing data.
func decodeJSON(doc []byte) (*jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the policy document")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (*jsonValue, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return decodeObject(dec, depth)
		}
		return decodeArray(dec, depth)
	case string:
		return &jsonValue{kind: jsonString, text: t}, nil
	case json.Number:
		return &jsonValue{kind: jsonNumber, text: t.String()}, nil
	case bool:
		return &jsonValue{kind: jsonBool, text: fmt.Sprint(t)}, nil
	}
	return &jsonValue{kind: jsonNull}, nil
}

func decodeObject(dec *json.Decoder, depth int) (*jsonValue, error) {
	v := &jsonValue{kind: jsonObject}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err)
		}
		key := tok.(string) // the decoder only yields string keys inside an object
		if v.member(key) != nil {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		item, err := decodeValue(dec, depth+1)
		if err != nil {
			return nil, err
		}
		v.keys, v.items = append(v.keys, key), append(v.items, item)
	}
	_, err := dec.Token() // '}'
	return v, jsonError(err)
}

func decodeArray(dec *json.Decoder, depth int) (*jsonValue, error) {
	v := &jsonValue{kind: jsonArray}
	for dec.More() {
		item, err := decodeValue(dec, depth+1)
		if err != nil {
			return nil, err
		}
		v.items = append(v.items, item)
	}
	_, err := dec.Token() // ']'
	return v, jsonError(err)
}

func jsonError(err error) error {
	if err == nil {
		return nil
	}
	if err == io.EOF {
		return errors.New("invalid JSON: unexpected end of document")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// compactSize is the document's length in characters without the whitespace between JSON
// tokens, which is how IAM measures policy size limits (whitespace inside strings counts).
func compactSize(doc []byte) int {
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		return utf8.RuneCount(doc)
	}
	return utf8.RuneCount(b.Bytes())
}
