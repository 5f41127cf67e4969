package policy

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every error Parse returns: the document is not a valid policy
// of the requested kind. Wire packages map it to MalformedPolicyDocument.
var ErrMalformed = errors.New("malformed policy document")

// ParseError names the place in a document that Parse refused, e.g.
// "Statement[1].Condition.StringLike: unknown condition operator". It wraps ErrMalformed.
type ParseError struct {
	Path string // empty for the document as a whole
	Msg  string
}

// Error renders "Path: message", or the message alone for the whole document.
func (e *ParseError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Unwrap lets errors.Is(err, ErrMalformed) hold.
func (e *ParseError) Unwrap() error { return ErrMalformed }

func malformed(path, format string, args ...any) error {
	return &ParseError{Path: path, Msg: fmt.Sprintf(format, args...)}
}
