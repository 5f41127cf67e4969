package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The AWS CLI half of issue 5's acceptance: Debian's AWS CLI v2 against inkan's S3 endpoint
// with temporary credentials from inkan's STS.

// readWriteBucket lets a session list bucket and read, write and delete its objects.
func readWriteBucket(bucket string) string {
	return policyDoc(
		`{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}`,
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::`+bucket+`"}`,
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::`+bucket+`/*"}`)
}

// cliSession starts a server on b holding buckets and returns it with the AWS CLI environment
// of a role session that may list the first bucket and read, write and delete its objects.
func cliSession(t *testing.T, b objectBackend, role string, buckets ...string) (*testServer, map[string]string) {
	t.Helper()
	awsCLI(t)
	srv := b.start(t)
	createBuckets(t, srv, buckets...)
	return srv, sessionEnv(t, srv, role, readWriteBucket(buckets[0]))
}

// syncTree is the tree `aws s3 sync` carries: 499 small files in nested directories, some
// empty, names with spaces and plus signs, and one file of bigMiB MiB the CLI uploads in
// 8 MiB parts. It returns the files by name and the big file's name.
func syncTree(bigMiB int) (map[string][]byte, string) {
	dirs := []string{"", "docs/", "docs/guide/", "assets/img/", "deep/a/b/c/d/", "with space/", "plus+dir/"}
	r := rand.New(rand.NewPCG(5, 5))
	files := map[string][]byte{}
	for i := range 499 {
		var name string
		switch i % 3 {
		case 0:
			name = fmt.Sprintf("file-%03d.txt", i)
		case 1:
			name = fmt.Sprintf("c++ %03d.bin", i)
		default:
			name = fmt.Sprintf("report %03d (final).dat", i)
		}
		size := r.IntN(16 << 10)
		if i%17 == 0 {
			size = 0 // botocore sends these behind Expect: 100-continue
		}
		files[dirs[i%len(dirs)]+name] = randomBytes(uint64(i), size)
	}
	big := fmt.Sprintf("big/%d mib.bin", bigMiB)
	files[big] = randomBytes(uint64(bigMiB), bigMiB<<20)
	return files, big
}

// bucketObjects lists every object of bucket under prefix as root: key to size.
func bucketObjects(t *testing.T, srv *testServer, bucket, prefix string) map[string]int64 {
	t.Helper()
	objects := map[string]int64{}
	for key, o := range listObjects(t, rootS3(srv), bucket, prefix) {
		objects[key] = aws.ToInt64(o.Size)
	}
	return objects
}

// countLines counts the lines of out that start with prefix.
func countLines(out, prefix string) int {
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

func TestTheAWSCLISyncsATreeOf500FilesUpAndDownAndASecondSyncTransfersNothing(t *testing.T) {
	eachBackend(t, cliSyncs)
}

func cliSyncs(t *testing.T, b objectBackend) {
	const bucket = "cli-sync"
	srv, env := cliSession(t, b, "sync", bucket)
	files, big := syncTree(40)
	local := t.TempDir()
	writeTree(t, local, files)

	start := time.Now()
	out := mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", local, "s3://"+bucket+"/tree/")
	// A poisoned connection after an empty file stalls an upload for 60 s (botocore#3755).
	if took := time.Since(start); took > 60*time.Second {
		t.Errorf("aws s3 sync up took %v", took)
	}
	t.Logf("aws s3 sync up of %d files: %v", len(files), time.Since(start).Round(time.Millisecond))
	if n := countLines(out, "upload: "); n != len(files) {
		t.Errorf("aws s3 sync printed %d uploads, want %d", n, len(files))
	}
	stored := bucketObjects(t, srv, bucket, "")
	for name, body := range files {
		if size, ok := stored["tree/"+name]; !ok || size != int64(len(body)) {
			t.Errorf("tree/%s: stored %v (%d bytes), want %d bytes", name, ok, size, len(body))
		}
	}
	if len(stored) != len(files) {
		t.Errorf("the bucket holds %d objects, want %d", len(stored), len(files))
	}
	head, err := rootS3(srv).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("tree/" + big)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(head.ETag), multipartETag(split(files[big], 8<<20)...); got != want {
		t.Errorf("the 40 MiB file has ETag %s, want %s: the CLI's 8 MiB multipart upload", got, want)
	}

	if again := mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", local, "s3://"+bucket+"/tree/"); strings.TrimSpace(again) != "" {
		t.Errorf("a second sync up transferred something:\n%s", again)
	}

	down := t.TempDir()
	out = mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", "s3://"+bucket+"/tree/", down)
	if n := countLines(out, "download: "); n != len(files) {
		t.Errorf("aws s3 sync down printed %d downloads, want %d", n, len(files))
	}
	if diff := sameTree(files, readTree(t, down)); diff != "" {
		t.Fatalf("the downloaded tree differs from the uploaded one: %s", diff)
	}
	if again := mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", "s3://"+bucket+"/tree/", down); strings.TrimSpace(again) != "" {
		t.Errorf("a second sync down transferred something:\n%s", again)
	}

	// --delete removes what the local tree no longer holds, and only that.
	var gone string
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if strings.HasPrefix(name, "with space/") && strings.Contains(name, "+") {
			gone = name
			break
		}
	}
	if err := os.Remove(filepath.Join(local, filepath.FromSlash(gone))); err != nil {
		t.Fatal(err)
	}
	out = mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", "--delete", local, "s3://"+bucket+"/tree/")
	if strings.TrimSpace(out) != "delete: s3://"+bucket+"/tree/"+gone {
		t.Errorf("aws s3 sync --delete printed:\n%s", out)
	}
	if stored := bucketObjects(t, srv, bucket, ""); len(stored) != len(files)-1 {
		t.Errorf("after sync --delete the bucket holds %d objects, want %d", len(stored), len(files)-1)
	}
}

func TestTheAWSCLICopiesBothWaysListsAndRemovesRecursively(t *testing.T) {
	eachBackend(t, cliCopiesBothWays)
}

func cliCopiesBothWays(t *testing.T, b objectBackend) {
	const bucket, other = "cli-copy", "cli-other"
	srv, env := cliSession(t, b, "copy", bucket, other)
	dir := t.TempDir()
	uploads := map[string][]byte{"dir/report 1+1.txt": randomBytes(1, 300<<10), "dir/sub/a.txt": []byte("a\n"),
		"dir/sub/empty": {}, "top.txt": []byte("top\n")}
	writeTree(t, dir, uploads)
	for key := range uploads {
		out := mustS3CLI(t, srv, env, "s3", "cp", "--no-progress", filepath.Join(dir, filepath.FromSlash(key)), "s3://"+bucket+"/"+key)
		if !strings.HasPrefix(out, "upload: ") || !strings.Contains(out, "s3://"+bucket+"/"+key) {
			t.Errorf("aws s3 cp up printed %q", out)
		}
	}
	for key, body := range uploads {
		dst := filepath.Join(t.TempDir(), "copy")
		mustS3CLI(t, srv, env, "s3", "cp", "--no-progress", "s3://"+bucket+"/"+key, dst)
		got, err := os.ReadFile(dst)
		if err != nil || string(got) != string(body) {
			t.Errorf("aws s3 cp down of %s: %d bytes (%v), want the %d uploaded", key, len(got), err, len(body))
		}
	}

	buckets := mustS3CLI(t, srv, env, "s3", "ls")
	for _, b := range []string{bucket, other} {
		if !strings.Contains(buckets, " "+b+"\n") {
			t.Errorf("aws s3 ls does not list %s:\n%s", b, buckets)
		}
	}
	wantListing(t, mustS3CLI(t, srv, env, "s3", "ls", "s3://"+bucket+"/"), []string{"PRE dir/"}, map[string]int{"top.txt": 4})
	wantListing(t, mustS3CLI(t, srv, env, "s3", "ls", "s3://"+bucket+"/dir/"), []string{"PRE sub/"},
		map[string]int{"report 1+1.txt": 300 << 10})
	wantListing(t, mustS3CLI(t, srv, env, "s3", "ls", "--recursive", "s3://"+bucket+"/"), nil,
		map[string]int{"dir/report 1+1.txt": 300 << 10, "dir/sub/a.txt": 2, "dir/sub/empty": 0, "top.txt": 4})

	out := mustS3CLI(t, srv, env, "s3", "rm", "--recursive", "s3://"+bucket+"/dir/")
	if n := countLines(out, "delete: s3://"+bucket+"/dir/"); n != 3 {
		t.Errorf("aws s3 rm --recursive printed %d deletions, want 3:\n%s", n, out)
	}
	if left := bucketObjects(t, srv, bucket, ""); len(left) != 1 || left["top.txt"] != 4 {
		t.Errorf("after rm --recursive the bucket holds %v, want top.txt only", left)
	}
}

func TestTheAWSCLICopiesAndMovesObjectsInsideTheEndpoint(t *testing.T) {
	eachBackend(t, cliCopiesInside)
}

func cliCopiesInside(t *testing.T, b objectBackend) {
	const bucket, other = "cli-copies", "cli-copies-to"
	awsCLI(t)
	srv := b.start(t)
	createBuckets(t, srv, bucket, other)
	// What AWS requires of `aws s3 cp s3://… s3://…`: read and write both buckets' objects,
	// and read their tags, which the CLI copies (GetObjectTagging) for multipart copies.
	env := sessionEnv(t, srv, "copier", policyDoc(
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::`+bucket+`","arn:aws:s3:::`+other+`"]}`,
		`{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectTagging","s3:PutObject","s3:PutObjectTagging","s3:DeleteObject"],
		  "Resource":["arn:aws:s3:::`+bucket+`/*","arn:aws:s3:::`+other+`/*"]}`))
	small, big := randomBytes(3, 100<<10), randomBytes(20, 20<<20)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"small": small, "big": big})
	mustS3CLI(t, srv, env, "s3", "cp", "--no-progress", filepath.Join(dir, "small"), "s3://"+bucket+"/small one+1")
	mustS3CLI(t, srv, env, "s3", "cp", "--no-progress", filepath.Join(dir, "big"), "s3://"+bucket+"/big one+1")

	copies := []struct{ src, dst, etag string }{
		// CopyObject, below the CLI's 8 MiB multipart threshold.
		{"s3://" + bucket + "/small one+1", "s3://" + other + "/small copy", quotedMD5(small)},
		// Above it: CreateMultipartUpload, UploadPartCopy of each 8 MiB range, Complete.
		{"s3://" + bucket + "/big one+1", "s3://" + other + "/big copy", multipartETag(split(big, 8<<20)...)},
		{"s3://" + bucket + "/big one+1", "s3://" + bucket + "/big copy+2", multipartETag(split(big, 8<<20)...)},
	}
	for _, c := range copies {
		mustS3CLI(t, srv, env, "s3", "cp", "--no-progress", c.src, c.dst)
		b, k, _ := strings.Cut(strings.TrimPrefix(c.dst, "s3://"), "/")
		head, err := rootS3(srv).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil || aws.ToString(head.ETag) != c.etag {
			t.Errorf("aws s3 cp %s %s: the copy has ETag %v (%v), want %s", c.src, c.dst, head, err, c.etag)
		}
	}
	mustS3CLI(t, srv, env, "s3", "mv", "--no-progress", "s3://"+other+"/big copy", "s3://"+other+"/big moved")
	back := filepath.Join(t.TempDir(), "back")
	mustS3CLI(t, srv, env, "s3", "cp", "--no-progress", "s3://"+other+"/big moved", back)
	if got, err := os.ReadFile(back); err != nil || string(got) != string(big) {
		t.Errorf("the moved copy holds %d bytes (%v), want the %d uploaded", len(got), err, len(big))
	}
	if got := bucketObjects(t, srv, other, ""); len(got) != 2 || got["small copy"] != int64(len(small)) || got["big moved"] != int64(len(big)) {
		t.Errorf("after mv the target bucket holds %v", got)
	}
}

// wantListing checks an `aws s3 ls` output: exactly these PRE lines and these objects with
// their sizes (the CLI prints "<date> <time> <size> <name>").
func wantListing(t *testing.T, out string, prefixes []string, objects map[string]int) {
	t.Helper()
	var gotPrefixes []string
	gotObjects := map[string]int{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "PRE "); ok {
			gotPrefixes = append(gotPrefixes, "PRE "+p)
			continue
		}
		f := strings.SplitN(line, " ", 4) // date, time, padded size, name
		var size int
		rest := strings.TrimLeft(strings.Join(f[2:], " "), " ")
		if _, err := fmt.Sscanf(rest, "%d", &size); err != nil {
			t.Fatalf("unexpected aws s3 ls line %q", line)
		}
		gotObjects[strings.SplitN(rest, " ", 2)[1]] = size
	}
	if !slices.Equal(gotPrefixes, prefixes) || len(gotObjects) != len(objects) {
		t.Fatalf("aws s3 ls printed:\n%s\nwant %v and %v", out, prefixes, objects)
	}
	for name, size := range objects {
		if got, ok := gotObjects[name]; !ok || got != size {
			t.Errorf("aws s3 ls: %s has %d bytes (listed %v), want %d", name, got, ok, size)
		}
	}
}

func TestTheAWSCLIReadsRangesConditionallyAndKeepsMetadata(t *testing.T) {
	eachBackend(t, cliReadsRanges)
}

func cliReadsRanges(t *testing.T, b objectBackend) {
	const bucket = "cli-api"
	srv, env := cliSession(t, b, "api", bucket)
	body := randomBytes(7, 64<<10)
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, body, 0o644); err != nil {
		t.Fatal(err)
	}
	var put struct{ ETag string }
	s3apiJSON(t, srv, env, &put, "put-object", "--bucket", bucket, "--key", "meta/obj one", "--body", src,
		"--metadata", "color=blue,Build-Id=42", "--content-type", "application/x-inkan")
	if put.ETag != quotedMD5(body) {
		t.Fatalf("put-object ETag %s, want %s", put.ETag, quotedMD5(body))
	}
	var head struct {
		ContentLength     int64
		ContentType, ETag string
		Metadata          map[string]string
	}
	s3apiJSON(t, srv, env, &head, "head-object", "--bucket", bucket, "--key", "meta/obj one")
	if head.ContentLength != int64(len(body)) || head.ContentType != "application/x-inkan" || head.ETag != put.ETag ||
		len(head.Metadata) != 2 || head.Metadata["color"] != "blue" || head.Metadata["build-id"] != "42" {
		t.Errorf("head-object = %+v", head)
	}

	for _, r := range []struct {
		header      string
		first, last int
	}{{"bytes=100-1099", 100, 1099}, {"bytes=-10", len(body) - 10, len(body) - 1}, {"bytes=65000-", 65000, len(body) - 1}} {
		var got struct {
			ContentRange  string
			ContentLength int64
			ETag          string
		}
		dst := filepath.Join(t.TempDir(), "range")
		s3apiJSON(t, srv, env, &got, "get-object", "--bucket", bucket, "--key", "meta/obj one", "--range", r.header, dst)
		data, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		wantRange := fmt.Sprintf("bytes %d-%d/%d", r.first, r.last, len(body))
		if got.ContentRange != wantRange || got.ContentLength != int64(r.last-r.first+1) || string(data) != string(body[r.first:r.last+1]) {
			t.Errorf("--range %s: ContentRange %q ContentLength %d and %d bytes, want %q", r.header, got.ContentRange, got.ContentLength, len(data), wantRange)
		}
	}

	dst := filepath.Join(t.TempDir(), "cond")
	get := []string{"s3api", "get-object", "--bucket", bucket, "--key", "meta/obj one"}
	wantCLIError(t, srv, env, "304", "GetObject", append(get, "--if-none-match", put.ETag, dst)...)
	wantCLIError(t, srv, env, "PreconditionFailed", "GetObject", append(get, "--if-match", `"00000000000000000000000000000000"`, dst)...)
	wantCLIError(t, srv, env, "PreconditionFailed", "GetObject", append(get, "--if-unmodified-since", "2001-01-01T00:00:00Z", dst)...)
	wantCLIError(t, srv, env, "304", "GetObject", append(get, "--if-modified-since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), dst)...)
	var matched struct{ ETag string }
	s3apiJSON(t, srv, env, &matched, append(get[1:], "--if-match", put.ETag, "--if-none-match", `"ffffffffffffffffffffffffffffffff"`, dst)...)
	if data, err := os.ReadFile(dst); err != nil || string(data) != string(body) || matched.ETag != put.ETag {
		t.Errorf("get-object --if-match of the current ETag: %d bytes, ETag %s, %v", len(data), matched.ETag, err)
	}
}

// s3apiJSON runs `aws s3api <args>` and decodes its JSON output into out.
func s3apiJSON(t *testing.T, srv *testServer, env map[string]string, out any, args ...string) {
	t.Helper()
	stdout := mustS3CLI(t, srv, env, append([]string{"s3api"}, append(args, "--output", "json")...)...)
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		t.Fatalf("aws s3api %s printed %q: %v", strings.Join(args, " "), stdout, err)
	}
}

func TestTheAWSCLIShowsTheS3ErrorOfEveryDeniedPath(t *testing.T) { eachBackend(t, cliDenials) }

func cliDenials(t *testing.T, b objectBackend) {
	awsCLI(t)
	srv := b.start(t)
	const bucket, other = "cli-deny", "cli-deny-other"
	createBuckets(t, srv, bucket, other)
	// Objects under allowed/ only, no listing at all.
	objectsOnly := sessionEnv(t, srv, "objects-only", policyDoc(
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::`+bucket+`/allowed/*"}`))
	// Listing, but only of prefixes under allowed/.
	listsAllowed := sessionEnv(t, srv, "lists-allowed", policyDoc(
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::`+bucket+`","Condition":{"StringLike":{"s3:prefix":"allowed/*"}}}`,
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`+bucket+`/allowed/*"}`))
	file := writeTemp(t, "f.txt", "payload\n")

	// What the sessions may do works: the denials below are the policy's, not a broken session.
	mustS3CLI(t, srv, objectsOnly, "s3", "cp", file, "s3://"+bucket+"/allowed/f.txt")
	mustS3CLI(t, srv, objectsOnly, "s3", "cp", "s3://"+bucket+"/allowed/f.txt", filepath.Join(t.TempDir(), "back"))
	if out := mustS3CLI(t, srv, listsAllowed, "s3", "ls", "s3://"+bucket+"/allowed/"); !strings.Contains(out, " f.txt\n") {
		t.Fatalf("a prefix the policy allows did not list: %q", out)
	}

	cases := []struct {
		name, code, operation string
		env                   map[string]string
		args                  []string
	}{
		{"writing to another bucket", "AccessDenied", "PutObject", objectsOnly, []string{"s3", "cp", file, "s3://" + other + "/allowed/f.txt"}},
		{"writing under another prefix", "AccessDenied", "PutObject", objectsOnly, []string{"s3", "cp", file, "s3://" + bucket + "/forbidden/f.txt"}},
		{"reading under another prefix", "AccessDenied", "GetObject", listsAllowed,
			[]string{"s3api", "get-object", "--bucket", bucket, "--key", "forbidden/f.txt", filepath.Join(t.TempDir(), "x")}},
		{"listing without s3:ListBucket", "AccessDenied", "ListObjectsV2", objectsOnly, []string{"s3", "ls", "s3://" + bucket + "/allowed/"}},
		{"listing a prefix the condition excludes", "AccessDenied", "ListObjectsV2", listsAllowed, []string{"s3", "ls", "s3://" + bucket + "/"}},
		{"listing the buckets without s3:ListAllMyBuckets", "AccessDenied", "ListBuckets", objectsOnly, []string{"s3", "ls"}},
		// S3 answers 404 for a missing key only to a caller who may list the bucket.
		{"reading a missing key without s3:ListBucket", "AccessDenied", "GetObject", objectsOnly,
			[]string{"s3api", "get-object", "--bucket", bucket, "--key", "allowed/missing", filepath.Join(t.TempDir(), "x")}},
		{"reading a missing key with s3:ListBucket", "NoSuchKey", "GetObject", listsAllowed,
			[]string{"s3api", "get-object", "--bucket", bucket, "--key", "allowed/missing", filepath.Join(t.TempDir(), "x")}},
		// aws s3 cp starts with HeadObject, whose error has no body: the CLI prints the status.
		{"copying down a missing key without s3:ListBucket", "403", "HeadObject", objectsOnly,
			[]string{"s3", "cp", "s3://" + bucket + "/allowed/missing", filepath.Join(t.TempDir(), "x")}},
		{"copying down a missing key with s3:ListBucket", "404", "HeadObject", listsAllowed,
			[]string{"s3", "cp", "s3://" + bucket + "/allowed/missing", filepath.Join(t.TempDir(), "x")}},
		{"a tampered session token", "InvalidToken", "PutObject", tamperToken(objectsOnly), []string{"s3", "cp", file, "s3://" + bucket + "/allowed/t.txt"}},
		{"a wrong secret key", "SignatureDoesNotMatch", "PutObject", withEnv(objectsOnly, "AWS_SECRET_ACCESS_KEY", "wrong-secret-key-0000000000000000000000"),
			[]string{"s3", "cp", file, "s3://" + bucket + "/allowed/t.txt"}},
		{"an unknown access key", "InvalidAccessKeyId", "ListObjectsV2", withEnv(rootEnv(), "AWS_ACCESS_KEY_ID", "AKIANOTAKEY000000000"),
			[]string{"s3", "ls", "s3://" + bucket + "/"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantCLIError(t, srv, c.env, c.code, c.operation, c.args...)
		})
	}
	// aws s3 presign signs a URL with the session's token in it; the policy still decides.
	for _, c := range []struct {
		key, expires string
		status       int
		want         string
	}{
		{"allowed/f.txt", "300", 200, "payload\n"},
		{"forbidden/f.txt", "300", 403, "<Code>AccessDenied</Code>"},
		{"allowed/f.txt", "1", 403, "<Code>AccessDenied</Code><Message>Request has expired"},
	} {
		url := strings.TrimSpace(mustS3CLI(t, srv, objectsOnly, "s3", "presign", "s3://"+bucket+"/"+c.key, "--expires-in", c.expires))
		if !strings.Contains(url, "X-Amz-Security-Token=") || !strings.Contains(url, "X-Amz-Algorithm=AWS4-HMAC-SHA256") {
			t.Fatalf("aws s3 presign printed %q", url)
		}
		if c.expires == "1" {
			time.Sleep(2 * time.Second)
		}
		status, body := httpGet(t, url)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("presigned GET of %s (expires in %s s): %d %q, want %d with %q", c.key, c.expires, status, body, c.status, c.want)
		}
	}

	// Nothing the denied writes carried was stored.
	if got := bucketObjects(t, srv, bucket, ""); len(got) != 1 || got["allowed/f.txt"] != 8 {
		t.Errorf("after the denials the bucket holds %v", got)
	}
	if got := bucketObjects(t, srv, other, ""); len(got) != 0 {
		t.Errorf("after the denials the other bucket holds %v", got)
	}
}

// tamperToken returns env with one character in the middle of its session token changed.
func tamperToken(env map[string]string) map[string]string {
	tok := []byte(env["AWS_SESSION_TOKEN"])
	i := len(tok) / 2
	if tok[i] == 'A' {
		tok[i] = 'B'
	} else {
		tok[i] = 'A'
	}
	return withEnv(env, "AWS_SESSION_TOKEN", string(tok))
}

// withEnv returns a copy of env with name set to value.
func withEnv(env map[string]string, name, value string) map[string]string {
	c := maps.Clone(env)
	c[name] = value
	return c
}

// httpGet fetches url with no credentials of its own and returns the status and body.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
