package lifecycle

import "github.com/inkan-dev/inkan/internal/objstore"

// ObjectOf is the Object a rule is matched against for a stored object version, whose
// tags the caller has read (GetObject, HeadObject, PutObject's result) when tagsRead is
// true, or not (a listing).
func ObjectOf(info objstore.ObjectInfo, tagsRead bool) Object {
	tags, known := objectTags(info)
	return Object{Key: info.Key, Size: info.Size, Modified: info.LastModified, Tags: tags, TagsKnown: known && tagsRead}
}

// objectTags is the one place that reads an object's tags: objstore.ObjectMeta.Tags, which
// Get and Head fill on every backend (listings of an upstream do not carry them, which
// ObjectOf's tagsRead says).
func objectTags(info objstore.ObjectInfo) (tags map[string]string, known bool) {
	return info.Meta.Tags, true
}
