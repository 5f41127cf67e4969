package s3_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestAuthorizationInAFormInkanDoesNotVerifyIsTheClientsError(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	cases := []struct {
		name, auth, code, argument string
	}{
		{"an empty value", "", "InvalidArgument", ""},
		{"a bearer token", "Bearer eyJhbGciOiJSUzI1NiJ9.secret-token", "InvalidArgument", "Bearer"},
		{"basic credentials", "Basic dXNlcjpwYXNzd29yZA==", "InvalidArgument", "Basic"},
		{"an HMAC-SHA512 signature", "AWS4-HMAC-SHA512 Credential=" + rootKey + "/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "InvalidArgument", "AWS4-HMAC-SHA512"},
		{"a bare token without a scheme", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "InvalidArgument", ""},
		{"SigV4a", "AWS4-ECDSA-P256-SHA256 Credential=" + rootKey + "/20250101/s3/aws4_request, SignedHeaders=host;x-amz-region-set, Signature=3045", "InvalidRequest", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPut} {
				req, _ := http.NewRequest(method, e.server.URL+"/data/k", strings.NewReader(""))
				req.Header["Authorization"] = []string{c.auth}
				resp, err := e.server.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var doc struct{ Code, ArgumentName, ArgumentValue string }
				xml.Unmarshal(body, &doc)
				if resp.StatusCode != 400 || doc.Code != c.code {
					t.Fatalf("%s: %d %s, want 400 %s\n%s", method, resp.StatusCode, doc.Code, c.code, body)
				}
				if c.code == "InvalidArgument" && (doc.ArgumentName != "Authorization" || doc.ArgumentValue != c.argument) {
					t.Errorf("%s: ArgumentName %q ArgumentValue %q, want Authorization and %q", method, doc.ArgumentName, doc.ArgumentValue, c.argument)
				}
				if strings.Contains(string(body), "secret-token") || strings.Contains(string(body), "dXNlcjpwYXNzd29yZA") {
					t.Errorf("%s: the answer echoes the credential:\n%s", method, body)
				}
			}
		})
	}
	if _, err := e.backend.HeadObject(e.ctx, "data", "k", ""); err == nil {
		t.Error("a refused PUT stored the object")
	}
}
