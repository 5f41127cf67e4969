package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// Times are stored as integer microseconds since the Unix epoch (PostgreSQL's
// timestamp precision), optional times as NULL when zero.

func encodeTime(t time.Time) int64 { return t.UnixMicro() }

func decodeTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

func encodeOptionalTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func decodeOptionalTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return decodeTime(v.Int64)
}

// The JSON shapes of the list columns. They are the stored format: the Go
// field names of package store may change, these tags may not.
type (
	tagJSON struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	claimTagJSON struct {
		Claim string `json:"claim"`
		Tag   string `json:"tag"`
	}
)

// encodeList stores a list as a JSON array, "[]" when empty. Its text is valid
// UTF-8 (store's Check guarantees it), so JSON keeps it byte for byte.
func encodeList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Marshal fails only on unsupported types; ours are strings.
		panic(fmt.Sprintf("sqlstore: encode list: %v", err))
	}
	return string(b)
}

// decodeList reads a JSON array column; an empty array gives nil.
func decodeList[T any](column, text string) ([]T, error) {
	var v []T
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, fmt.Errorf("column %s: %w", column, err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// encodeTags sorts tags by key (the order every store returns) and encodes them.
func encodeTags(tags []store.Tag) string {
	return encodeList(convert(store.SortedTags(tags), func(t store.Tag) tagJSON { return tagJSON(t) }))
}

func decodeTags(text string) ([]store.Tag, error) {
	in, err := decodeList[tagJSON]("tags", text)
	return convert(in, func(t tagJSON) store.Tag { return store.Tag(t) }), err
}

func encodeClaimTags(claims []store.ClaimTag) string {
	return encodeList(convert(claims, func(c store.ClaimTag) claimTagJSON { return claimTagJSON(c) }))
}

func decodeClaimTags(text string) ([]store.ClaimTag, error) {
	in, err := decodeList[claimTagJSON]("claim_tags", text)
	return convert(in, func(c claimTagJSON) store.ClaimTag { return store.ClaimTag(c) }), err
}

// convert maps a list, keeping nil as nil.
func convert[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
