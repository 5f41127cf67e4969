package explain

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Position is a place in a document: 1-based line and column, the column counted in UTF-16
// code units as SARIF counts by default. The zero Position means unknown.
type Position struct {
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// Locate finds the element a policy path names in a JSON document — a path as the parser
// and the linter write them, e.g. "Statement[0].Condition.StringLike.k:sub[1]" — and
// returns the position of its member name (or of the array element). When the path itself
// is not in the document, the nearest enclosing element is returned; a document that is not
// JSON gives the position of the first byte the decoder could not read, or the zero
// Position. Condition keys may contain dots: the index holds whole paths, so no path is ever
// split on a dot.
func Locate(doc []byte, path string) Position {
	idx, bad := indexPaths(doc)
	for p := path; ; {
		if off, ok := idx[p]; ok {
			return positionOf(doc, off)
		}
		if off, ok := idx[strings.ToLower(p)]; ok {
			return positionOf(doc, off)
		}
		cut := max(strings.LastIndexByte(p, '.'), strings.LastIndexByte(p, '['))
		if cut <= 0 {
			break
		}
		p = p[:cut]
	}
	if bad >= 0 {
		return positionOf(doc, bad)
	}
	return Position{}
}

// indexer records the byte offset of every element of a document by path.
type indexer struct {
	doc []byte
	dec *json.Decoder
	idx map[string]int
}

// indexPaths maps every path of doc (and its lower-cased form) to the offset where its
// member name or array element starts. bad is the offset where decoding failed, or -1.
func indexPaths(doc []byte) (idx map[string]int, bad int) {
	ix := &indexer{doc: doc, dec: json.NewDecoder(bytes.NewReader(doc)), idx: map[string]int{}}
	if err := ix.value("", 0); err != nil {
		return ix.idx, min(int(ix.dec.InputOffset()), len(doc))
	}
	return ix.idx, -1
}

// record notes the element at path starting at the first significant byte after offset.
func (ix *indexer) record(path string, offset int64) {
	off := int(offset)
	for off < len(ix.doc) && strings.IndexByte(" \t\r\n,:", ix.doc[off]) >= 0 {
		off++
	}
	if _, seen := ix.idx[path]; !seen {
		ix.idx[path] = off
	}
	if lower := strings.ToLower(path); lower != path {
		if _, seen := ix.idx[lower]; !seen {
			ix.idx[lower] = off
		}
	}
}

// maxDepth bounds the nesting Locate follows; policies nest five levels deep.
const maxDepth = 64

var errTooDeep = errors.New("explain: document nested too deeply")

// value reads one JSON value whose path is path, at nesting depth, indexing what it holds.
func (ix *indexer) value(path string, depth int) error {
	tok, err := ix.dec.Token()
	if err != nil {
		return err
	}
	if depth > maxDepth {
		return errTooDeep
	}
	switch tok {
	case json.Delim('{'):
		return ix.object(path, depth+1)
	case json.Delim('['):
		return ix.array(path, depth+1)
	}
	return nil
}

func (ix *indexer) object(path string, depth int) error {
	for ix.dec.More() {
		start := ix.dec.InputOffset()
		tok, err := ix.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		child := key
		if path != "" {
			child = path + "." + key
		}
		ix.record(child, start)
		if err := ix.value(child, depth); err != nil {
			return err
		}
	}
	_, err := ix.dec.Token() // '}'
	return err
}

func (ix *indexer) array(path string, depth int) error {
	for i := 0; ix.dec.More(); i++ {
		child := path + "[" + strconv.Itoa(i) + "]"
		ix.record(child, ix.dec.InputOffset())
		if err := ix.value(child, depth); err != nil {
			return err
		}
	}
	_, err := ix.dec.Token() // ']'
	return err
}

// positionOf converts a byte offset to a line and a UTF-16 column.
func positionOf(doc []byte, off int) Position {
	off = min(max(off, 0), len(doc))
	line := 1 + bytes.Count(doc[:off], []byte{'\n'})
	start := bytes.LastIndexByte(doc[:off], '\n') + 1
	col := 1
	for rest := doc[start:off]; len(rest) > 0; {
		r, n := utf8.DecodeRune(rest)
		col++
		if r >= 0x10000 {
			col++ // a surrogate pair
		}
		rest = rest[n:]
	}
	return Position{Line: line, Column: col}
}
