package lifecycle_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore"
)

// TestARuleFilteredByTagsExpiresOnlyTheObjectsThatCarryThem pins the tag filter against
// real object tags (objstore.ObjectMeta.Tags), set on write and replaced later.
func TestARuleFilteredByTagsExpiresOnlyTheObjectsThatCarryThem(t *testing.T) {
	w := newWorld(t)
	w.bucket("b")
	w.configure("b", `<Rule><ID>scratch</ID><Filter><And><Prefix></Prefix><Tag><Key>class</Key><Value>scratch</Value></Tag></And></Filter>`+
		`<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	for key, tags := range map[string]map[string]string{"tagged": {"class": "scratch"}, "other": {"class": "keep"}, "plain": nil, "retagged": {"class": "scratch"}} {
		if _, err := w.backend.PutObject(w.ctx, "b", key, strings.NewReader("data"), 4, objstore.PutOptions{Meta: objstore.ObjectMeta{Tags: tags}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.backend.PutObjectTags(w.ctx, "b", "retagged", "", map[string]string{"class": "keep"}); err != nil {
		t.Fatal(err)
	}
	w.clock.set(w.clock.Now().Add(3 * 24 * time.Hour))
	w.pass(w.worker("node-a", lifecycle.Options{}))
	if got := w.keys("b"); !slices.Equal(got, []string{"other", "plain", "retagged"}) {
		t.Fatalf("after the pass: %v", got)
	}
}
