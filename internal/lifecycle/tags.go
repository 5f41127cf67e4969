package lifecycle

import "github.com/inkan-dev/inkan/internal/objstore"

// ObjectOf is the Object a rule is matched against for a stored object version, whose
// tags the caller has read (GetObject, HeadObject, PutObject's result) when tagsRead is
// true, or not (a listing).
func ObjectOf(info objstore.ObjectInfo, tagsRead bool) Object {
	tags, known := objectTags(info)
	return Object{Key: info.Key, Size: info.Size, Modified: info.LastModified, Tags: tags, TagsKnown: known && tagsRead}
}

// objectTags is the one place that reads an object's tags. Until the tagging branch adds
// objstore.ObjectMeta.Tags, no object has tags: known is true and the map is empty, so a
// rule filtering by tags never matches (an expiration that cannot be decided is never
// taken). At the merge it becomes:
//
//	return info.Meta.Tags, true
func objectTags(info objstore.ObjectInfo) (tags map[string]string, known bool) {
	_ = info
	return nil, true
}
