package s3

import "sync"

// settingCache keeps each bucket's parsed setting with the document it came from, so that
// requests that consult a setting (every browser request its CORS rules, every object
// answer its lifecycle rules, every write its default encryption) do not parse the
// document again; an entry is replaced when
// the document changes and dropped when the bucket has none, so it holds only configured
// buckets. Safe for concurrent use.
type settingCache[T any] struct {
	mu sync.Mutex
	m  map[string]parsedSetting[T]
}

type parsedSetting[T any] struct {
	doc string
	v   T
}

// get returns the parsed form of the bucket's document doc (ok false: none is set, and
// the zero T is returned), parsing it only when it changed.
func (c *settingCache[T]) get(bucket, doc string, ok bool, parse func(doc string) T) T {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		delete(c.m, bucket)
		var zero T
		return zero
	}
	if e, hit := c.m[bucket]; hit && e.doc == doc {
		return e.v
	}
	v := parse(doc)
	if c.m == nil {
		c.m = map[string]parsedSetting[T]{}
	}
	c.m[bucket] = parsedSetting[T]{doc: doc, v: v}
	return v
}
