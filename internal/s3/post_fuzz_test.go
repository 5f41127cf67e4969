package s3

import (
	"encoding/base64"
	"testing"
	"time"
)

// FuzzPostPolicy feeds the POST policy parser arbitrary documents: it must never panic,
// must refuse with InvalidPolicyDocument, and what it accepts must have an expiration and
// a size range that is empty only when unbounded; checking a form against it must answer
// nil or S3's AccessDenied.
func FuzzPostPolicy(f *testing.F) {
	f.Add(`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b"},["starts-with","$key","in/"],["content-length-range",1,10]]}`)
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$Content-Type","text/plain"]]}`)
	f.Add(`{"expiration":"x","conditions":[]}`)
	f.Add(`{"conditions":[]}`)
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",-1,"2"]]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(doc)))
		if err != nil {
			requireS3Error(t, err, "InvalidPolicyDocument")
			return
		}
		if p.expiration.IsZero() || p.minSize < 0 || (p.maxSize >= 0 && p.maxSize < p.minSize) {
			t.Fatalf("accepted %+v", p)
		}
		fields := map[string]string{"key": "in/a", "content-type": "text/plain", "x-ignore-me": "1"}
		if err := p.check(fields, "b", time.Unix(0, 0)); err != nil {
			requireS3Error(t, err, "AccessDenied")
		}
	})
}
