package awsclient

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestErrorAnswersBecomeTypedErrorsWhateverTheirShape(t *testing.T) {
	cases := []struct {
		name                     string
		answer                   http.HandlerFunc
		code, message, requestID string
		status                   int
	}{
		{"a Query-protocol ErrorResponse, request id beside Error",
			queryError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "rid-AccessDenied", 403},
		{"an error code keeping its Exception suffix",
			queryError(400, "ExpiredTokenException", "Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240"),
			"ExpiredTokenException", "Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240", "rid-ExpiredTokenException", 400},
		{"an S3 Error",
			reply(403, "application/xml", `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>s3-rid</RequestId><HostId>h</HostId></Error>`),
			"AccessDenied", "Access Denied", "s3-rid", 403},
		{"the admin API's JSON",
			reply(404, "application/json", `{"code": "NotFound", "message": "no decision was recorded with request id x"}`),
			"NotFound", "no decision was recorded with request id x", "hdr-request-id", 404},
		{"a proxy's HTML page",
			reply(502, "text/html", "<html><body>\n  Bad   gateway\n</body></html>"),
			"BadGateway", "<html><body> Bad gateway </body></html>", "hdr-request-id", 502},
		{"an empty body",
			reply(404, "text/plain", ""),
			"NotFound", "", "hdr-request-id", 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, map[string]http.HandlerFunc{"sts:GetCallerIdentity": tc.answer})
			c := f.client()
			c.Retry.MaxAttempts = 1
			_, err := c.GetCallerIdentity(context.Background())
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if e.Code != tc.code || e.Message != tc.message || e.RequestID != tc.requestID || e.Status != tc.status || e.Op != "sts:GetCallerIdentity" {
				t.Fatalf("error = %+v", e)
			}
			if ErrorCode(err) != tc.code {
				t.Fatalf("ErrorCode = %q", ErrorCode(err))
			}
		})
	}
}

func TestALongPlainErrorBodyIsCutToAShortLine(t *testing.T) {
	long := make([]byte, 5000)
	for i := range long {
		long[i] = "é"[i%2]
	}
	e := parseError("op", 500, http.Header{}, long)
	if len(e.Message) > maxPlainMessage+len("…") || e.Message == "" {
		t.Fatalf("message of %d bytes", len(e.Message))
	}
}

func TestOnlyRetryableFailuresAreRetried(t *testing.T) {
	cases := []struct {
		name     string
		answer   http.HandlerFunc
		attempts int
	}{
		{"a 503 is retried until the attempts are spent", queryError(503, "ServiceUnavailable", "busy"), 4},
		{"a 500 InternalFailure is retried", queryError(500, "InternalFailure", "oops"), 4},
		{"a 429 is retried", reply(429, "text/plain", "slow down"), 4},
		{"Throttling at 400 is retried", queryError(400, "Throttling", "Rate exceeded"), 4},
		{"IDPCommunicationError is retried", queryError(400, "IDPCommunicationError", "cannot reach the IdP"), 4},
		{"AccessDenied is final", queryError(403, "AccessDenied", "no"), 1},
		{"InvalidIdentityToken is final", queryError(400, "InvalidIdentityToken", "Incorrect token audience"), 1},
		{"ExpiredTokenException is final", queryError(400, "ExpiredTokenException", "Token expired"), 1},
		{"ValidationError is final", queryError(400, "ValidationError", "bad"), 1},
		{"a signature mismatch is final", queryError(403, "SignatureDoesNotMatch", "bad"), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, map[string]http.HandlerFunc{"sts:AssumeRoleWithWebIdentity": tc.answer})
			c := f.client()
			c.Retry.MaxAttempts = 4
			var waits []time.Duration
			c.Retry.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			c.Retry.Rand = func() float64 { return 1 }
			_, err := c.AssumeRoleWithWebIdentity(context.Background(), AssumeRoleWithWebIdentityInput{RoleArn: "r", RoleSessionName: "s", WebIdentityToken: webToken})
			if err == nil {
				t.Fatal("no error")
			}
			if n := len(f.requests()); n != tc.attempts {
				t.Fatalf("%d attempts, want %d (err %v)", n, tc.attempts, err)
			}
			if len(waits) != tc.attempts-1 {
				t.Fatalf("%d waits for %d attempts", len(waits), tc.attempts)
			}
			for i, d := range waits {
				if want := time.Duration(1<<i) * DefaultBaseDelay; d != want {
					t.Fatalf("wait %d = %v, want %v", i, d, want)
				}
			}
		})
	}
}

func TestARetriedCallSendsTheSameBodyAndSucceedsWhenTheServiceRecovers(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{"sts:AssumeRoleWithWebIdentity": sequence(
		queryError(503, "ServiceUnavailable", "busy"), queryError(400, "IDPCommunicationError", "later"), xmlReply(assumeAnswer))})
	out, err := f.client().AssumeRoleWithWebIdentity(context.Background(), AssumeRoleWithWebIdentityInput{
		RoleArn: "arn:aws:iam::123456789012:role/deploy", RoleSessionName: "s", WebIdentityToken: webToken})
	if err != nil {
		t.Fatal(err)
	}
	if out.Credentials.AccessKeyID != "ASIAEXAMPLE" {
		t.Fatalf("answer = %+v", out)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts", len(reqs))
	}
	for _, s := range reqs[1:] {
		if string(s.body) != string(reqs[0].body) {
			t.Fatalf("attempt bodies differ: %q vs %q", s.body, reqs[0].body)
		}
	}
}

func TestSignedRetriesAreSignedAfresh(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{"sts:GetCallerIdentity": sequence(queryError(503, "ServiceUnavailable", "busy"),
		xmlReply(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`))})
	c := f.client()
	tick := testNow()
	c.Now = func() time.Time { tick = tick.Add(time.Second); return tick }
	if _, err := c.GetCallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].header.Get("X-Amz-Date") == reqs[1].header.Get("X-Amz-Date") {
		t.Fatalf("the retry reused the first signature: %d requests", len(reqs))
	}
	for _, s := range reqs {
		mustBeSigned(t, s, "sts")
	}
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{})
	f.srv.Close()
	c := f.client()
	c.Retry.MaxAttempts = 3
	calls := 0
	c.Retry.Sleep = func(context.Context, time.Duration) error { calls++; return nil }
	_, err := c.GetCallerIdentity(context.Background())
	if !IsRetryable(err) || calls != 2 {
		t.Fatalf("err = %v after %d waits", err, calls)
	}
}

func TestACancelledContextStopsTheRetries(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{"sts:GetCallerIdentity": queryError(503, "ServiceUnavailable", "busy")})
	c := f.client()
	ctx, cancel := context.WithCancel(context.Background())
	c.Retry = Retry{MaxAttempts: 10, Base: time.Hour}
	go func() {
		for len(f.requests()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.GetCallerIdentity(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("%d attempts", n)
	}
}

func TestRetryDelaysAreFullJitterOverAnExponentialCeiling(t *testing.T) {
	for _, r := range []float64{0, 0.25, 0.999} {
		p := Retry{Rand: func() float64 { return r }}
		for n := range 8 {
			want := time.Duration(r * float64(int64(DefaultBaseDelay)<<n))
			if got := p.Delay(n); got != want {
				t.Fatalf("Delay(%d) with random %v = %v, want %v", n, r, got, want)
			}
		}
	}
	// The real random source stays below the ceiling.
	p := Retry{Base: time.Millisecond}
	for range 100 {
		if d := p.Delay(3); d < 0 || d >= 8*time.Millisecond {
			t.Fatalf("Delay(3) = %v", d)
		}
	}
}

func TestIsRetryableRefusesWhatIsNotAServiceOrNetworkFailure(t *testing.T) {
	for _, err := range []error{errors.New("bad input"), context.Canceled, &NetworkError{Op: "x", Err: context.Canceled}} {
		if IsRetryable(err) {
			t.Fatalf("%v is retryable", err)
		}
	}
}
