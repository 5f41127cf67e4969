package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// rootS3 is an aws-sdk-go-v2 S3 client signed by root against srv, path-style.
func rootS3(srv *testServer) *s3.Client {
	return s3.NewFromConfig(rootConfig(srv), func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
}

// createBuckets creates buckets as root.
func createBuckets(t *testing.T, srv *testServer, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := rootS3(srv).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatalf("CreateBucket %s: %v", name, err)
		}
	}
}

// policyDoc wraps statements (JSON objects, comma-separated) into an IAM policy document.
func policyDoc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// sessionEnv creates role name trusting the test identity provider with the seed's
// conditions and the given permission policy, exchanges a fresh token of the seed's
// repository for its temporary credentials through inkan's STS, and returns the AWS CLI
// environment of that session.
func sessionEnv(t *testing.T, srv *testServer, name, permissions string) map[string]string {
	t.Helper()
	role := createRole(t, srv, name, seedTrustPolicy(srv, "repo:"+seedRepo+":*"), 0, map[string]string{"s3": permissions})
	out, err := assumeWeb(context.Background(), srv, role, mintToken(t, srv, map[string]any{"repository": seedRepo, "ref": seedRef}), nil)
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity %s: %v", name, err)
	}
	c := awsCreds(out)
	return map[string]string{"AWS_ACCESS_KEY_ID": c.AccessKeyID, "AWS_SECRET_ACCESS_KEY": c.SecretAccessKey,
		"AWS_SESSION_TOKEN": c.SessionToken, "AWS_DEFAULT_REGION": "ap-northeast-1"}
}

// s3CLI runs `aws <args> --endpoint-url srv` with env and returns its output.
func s3CLI(t *testing.T, srv *testServer, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	return runAWS(t, env, append(args, "--endpoint-url", srv.URL)...)
}

// mustS3CLI is s3CLI for a command that must succeed; it returns standard output.
func mustS3CLI(t *testing.T, srv *testServer, env map[string]string, args ...string) string {
	t.Helper()
	out, errOut, err := s3CLI(t, srv, env, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s%s\nserver log:\n%s", strings.Join(args, " "), err, out, errOut, srv.stderr.String())
	}
	return out
}

// wantCLIError runs a command that must fail and checks that the CLI printed the S3 error
// code for operation, as botocore formats it: "An error occurred (<code>) when calling the
// <operation> operation".
func wantCLIError(t *testing.T, srv *testServer, env map[string]string, code, operation string, args ...string) string {
	t.Helper()
	out, errOut, err := s3CLI(t, srv, env, args...)
	want := "An error occurred (" + code + ") when calling the " + operation + " operation"
	if err == nil || !strings.Contains(out+errOut, want) {
		t.Fatalf("aws %s: err %v, want %q; printed:\n%s%s", strings.Join(args, " "), err, want, out, errOut)
	}
	return out + errOut
}

// writeTree writes files (slash-separated relative names) under dir.
func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		// Files older than the sync that uploads them, as a real tree is: S3 (and
		// SeaweedFS) answer LastModified in whole seconds, so a file written in the second
		// it was uploaded looks newer than its object, and `aws s3 sync` uploads it again.
		old := time.Now().Add(-time.Minute)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree reads every regular file under dir, by slash-separated relative name.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree reports the first difference between two trees, "" when they are equal.
func sameTree(want, got map[string][]byte) string {
	for name, body := range want {
		g, ok := got[name]
		switch {
		case !ok:
			return name + " is missing"
		case !bytes.Equal(g, body):
			return name + " differs"
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			return name + " is extra"
		}
	}
	return ""
}

// randomBytes returns n pseudo-random bytes from seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b[:n:n]
}

// quotedMD5 is the ETag S3 gives a single-part object holding b.
func quotedMD5(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// multipartETag is the ETag S3 gives an object uploaded in these parts: the MD5 of the
// parts' MD5s, a dash and the number of parts.
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		sum := md5.Sum(p)
		h.Write(sum[:])
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
}

// split cuts b into parts of size bytes, the last one shorter.
func split(b []byte, size int) [][]byte {
	var parts [][]byte
	for off := 0; off < len(b); off += size {
		parts = append(parts, b[off:min(off+size, len(b))])
	}
	return parts
}
