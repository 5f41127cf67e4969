package sigv4

import (
	"net/http"
	"testing"
	"time"
)

func TestAPresignedURLVerifiesUntilItExpires(t *testing.T) {
	creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8750/site/docs/a%20b.txt?versionId=1", nil)
	u, err := Presign(r, creds, "us-east-1", "s3", 5*time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{now.Add(time.Minute), true}, {now.Add(6 * time.Minute), false}} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.RequestURI = req.URL.RequestURI()
		a, err := Parse(req)
		if err == nil {
			_, err = Verify(req, a, creds.SecretAccessKey, Options{S3: true, Region: "us-east-1", Now: func() time.Time { return c.at }})
		}
		if (err == nil) != c.want {
			t.Errorf("at %s: %v (URL %s)", c.at, err, u)
		}
	}
}
