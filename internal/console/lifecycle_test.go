package console

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore/localfs"
)

func TestTheBucketPageListsTheBucketsLifecycleRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	objects, err := localfs.Open(ctx, filepath.Join(t.TempDir(), "objects"), localfs.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { objects.Close() })
	for _, b := range []string{"logs", "plain"} {
		if err := objects.CreateBucket(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	o := f.c.o
	o.Objects = objects
	if f.c, err = New(o); err != nil {
		t.Fatal(err)
	}
	doc := `<LifecycleConfiguration><Rule><ID>old &lt;logs&gt;</ID><Filter><Prefix>app/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`
	if err := o.Domain.(interface {
		PutBucketSetting(ctx context.Context, bucket, name, doc string) error
	}).PutBucketSetting(ctx, "logs", lifecycle.Setting, lifecycle.Stored{Document: doc, MinimumSize: lifecycle.MinimumSizeAll128K}.Encode()); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, testSecret)
	page := f.do(http.MethodGet, "/console/buckets/logs", nil)
	body := page.Body.String()
	if page.Code != http.StatusOK || !strings.Contains(body, "Lifecycle rules") || !strings.Contains(body, "<code>old &lt;logs&gt;</code>") ||
		!strings.Contains(body, `keys under &#34;app/&#34;`) || !strings.Contains(body, "expire 30 days after creation") {
		t.Fatalf("bucket page %d:\n%s", page.Code, body)
	}
	if plain := f.do(http.MethodGet, "/console/buckets/plain", nil).Body.String(); strings.Contains(plain, "Lifecycle rules") {
		t.Fatal("a bucket without rules shows a lifecycle section")
	}
}
