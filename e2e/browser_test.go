package e2e

import "testing"

// TestBoto3BrowserUploadsAndCORS runs the browser features of issue 13 through boto3 and
// requests on every backend: CORS rules put and read back, a preflight answered from them,
// generate_presigned_post signed by a federated session and posted as a browser would
// (201 with PostResponse, CORS headers on the answer), the policy's refusals, a key the
// session's role may not write, and a success_action_redirect.
func TestBoto3BrowserUploadsAndCORS(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		bucket := "browser"
		creds := sessionEnv(t, srv, "uploader", policyDoc(
			`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::`+bucket+`/uploads/*","Condition":{"StringEquals":{"s3:authType":"POST"}}}`))
		out, err := runBoto3(t, srv, "browser.py", map[string]string{"INKAN_BUCKET": bucket,
			"SESSION_ACCESS_KEY_ID": creds["AWS_ACCESS_KEY_ID"], "SESSION_SECRET_ACCESS_KEY": creds["AWS_SECRET_ACCESS_KEY"],
			"SESSION_TOKEN": creds["AWS_SESSION_TOKEN"]})
		if err != nil {
			t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
		}
	})
}
