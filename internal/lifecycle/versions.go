package lifecycle

// Noncurrent versions and delete markers, written against the versioning branch's objstore
// contract (ListObjectVersions, DeleteOptions.VersionID, ObjectInfo.VersionID, IsLatest,
// DeleteMarker, BucketInfo.Versioning, HeadObject with a version id).
//
// Expiring the current version of a versioned bucket needs nothing here: the objects phase
// deletes it without a version id, which places a delete marker, as S3's expiration does.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// hasVersionRules reports whether any enabled rule removes noncurrent versions or expired
// delete markers.
func (c *Configuration) hasVersionRules() bool {
	for _, r := range c.Rules {
		if r.Status != "Enabled" {
			continue
		}
		if r.NoncurrentVersionExpiration != nil || r.Expiration != nil && r.Expiration.ExpiredObjectDeleteMarker != nil && *r.Expiration.ExpiredObjectDeleteMarker {
			return true
		}
	}
	return false
}

// NoncurrentExpiry returns when an enabled NoncurrentVersionExpiration rule removes the
// noncurrent version o, which became noncurrent at since (when the next newer version of
// its key was written) and has newer noncurrent versions newer of its key. S3 counts
// NoncurrentDays from since, rounded up to the next midnight like Days; a rule with
// NewerNoncurrentVersions N keeps the N newest noncurrent versions whatever their age.
// Decision: a delete marker (marker) is matched by prefix only, never by a rule that
// filters by tags or size, which a marker does not have.
func (c *Configuration) NoncurrentExpiry(o Object, since time.Time, newer int, marker bool) (d Due, ok bool) {
	for i := range c.Rules {
		r := &c.Rules[i]
		n := r.NoncurrentVersionExpiration
		if r.Status != "Enabled" || n == nil || n.NoncurrentDays == nil {
			continue
		}
		s := r.selector()
		if marker && (s.hasTags() || s.gt != nil || s.lt != nil) || !s.matches(o) {
			continue
		}
		if n.NewerNoncurrentVersions != nil && newer < *n.NewerNoncurrentVersions {
			continue
		}
		at := afterDays(since, *n.NoncurrentDays)
		if !ok || at.Before(d.At) {
			d, ok = Due{At: at, RuleID: r.ID}, true
		}
	}
	return d, ok
}

// ExpiredMarker returns the enabled rule that removes key's expired object delete marker
// (a current delete marker with no other version of its key), ok false when none does.
// Only the prefix selects markers (Check refuses tags with ExpiredObjectDeleteMarker; a
// rule with a size filter does not apply to markers).
func (c *Configuration) ExpiredMarker(key string) (d Due, ok bool) {
	for i := range c.Rules {
		r := &c.Rules[i]
		e := r.Expiration
		if r.Status != "Enabled" || e == nil || e.ExpiredObjectDeleteMarker == nil || !*e.ExpiredObjectDeleteMarker {
			continue
		}
		s := r.selector()
		if s.gt == nil && s.lt == nil && strings.HasPrefix(key, s.prefix) {
			return Due{RuleID: r.ID}, true
		}
	}
	return Due{}, false
}

// keyRun is what the versions phase knows of the key it is walking: its versions come
// newest first, so each noncurrent version's successor has been seen before it.
type keyRun struct {
	key string
	// unknown is set when the walk began in the middle of the key (a pass resumed from
	// its cursor): its newer versions were not seen, and it is left to the next full walk.
	unknown bool
	seen    int // versions of the key seen
	removed int // of them, removed by this pass
	// newer is the last version seen: the next newer one of the version at hand.
	newer objstore.ObjectInfo
	// noncurrent counts the noncurrent versions seen, newer than the version at hand.
	noncurrent int
	// marker is the key's current version when it is a delete marker.
	marker *objstore.ObjectInfo
}

// versions removes the noncurrent versions and expired delete markers that are due, from
// the cursor on, in a bucket whose versioning was ever configured.
func (p *pass) versions(ctx context.Context, bucket string, cfg *Configuration) (bool, error) {
	if p.current.Versioning == "" || !cfg.hasVersionRules() {
		return true, nil
	}
	now := p.w.o.Now()
	k := &keyRun{key: p.cur.After, unknown: p.cur.After != ""}
	for !p.exhausted() {
		if err := p.page(ctx); err != nil {
			return false, err
		}
		res, err := p.w.o.Backend.ListObjectVersions(ctx, bucket, objstore.ListVersionsOptions{
			KeyMarker: p.cur.After, VersionIDMarker: p.cur.UploadID, MaxKeys: p.pageSize()})
		if err != nil {
			return false, err
		}
		for _, v := range res.Versions {
			p.stats.Examined++
			if v.Key != k.key {
				if err := p.endKey(ctx, bucket, cfg, k); err != nil {
					return false, err
				}
				k = &keyRun{key: v.Key}
			}
			if err := p.version(ctx, bucket, cfg, k, v, now); err != nil {
				return false, err
			}
			p.cur.After, p.cur.UploadID = v.Key, v.VersionID
			if p.exhausted() {
				return false, nil
			}
		}
		if !res.IsTruncated {
			return true, p.endKey(ctx, bucket, cfg, k)
		}
	}
	return false, nil
}

// version judges one version of k's key.
func (p *pass) version(ctx context.Context, bucket string, cfg *Configuration, k *keyRun, v objstore.ObjectInfo, now time.Time) error {
	first := k.seen == 0
	newer := k.newer
	k.seen++
	k.newer = v
	if k.unknown {
		return nil
	}
	if first {
		if v.IsLatest && v.DeleteMarker {
			k.marker = &v
		}
		return nil // the current version: the objects phase's
	}
	count := k.noncurrent
	k.noncurrent++
	d, ok := cfg.NoncurrentExpiry(ObjectOf(v, false), newer.LastModified, count, v.DeleteMarker)
	if !ok || now.Before(d.At) {
		return nil
	}
	removed, err := p.removeVersion(ctx, bucket, cfg, v, d, newer.LastModified, count, now)
	if removed {
		k.removed++
	}
	return err
}

// removeVersion removes the noncurrent version v, due under d. It reads the version again
// for its tags, and the key's current version, so that a version that became current again
// (its successor deleted by version id since the listing) is left alone; the window between
// that read and the delete, which the backend contract cannot close, remains.
func (p *pass) removeVersion(ctx context.Context, bucket string, cfg *Configuration, v objstore.ObjectInfo, d Due, since time.Time,
	newer int, now time.Time) (bool, error) {
	b := p.w.o.Backend
	if !v.DeleteMarker {
		info, err := b.HeadObject(ctx, bucket, v.Key, v.VersionID)
		if errors.Is(err, objstore.ErrNoSuchVersion) || errors.Is(err, objstore.ErrNoSuchKey) {
			p.stats.Changed++
			return false, nil
		}
		if err != nil {
			return false, p.failed(bucket, v.Key, err)
		}
		if again, ok := cfg.NoncurrentExpiry(ObjectOf(info, true), since, newer, false); !ok || now.Before(again.At) {
			p.stats.Changed++
			return false, nil
		}
	}
	cur, err := headCurrent(ctx, b, bucket, v.Key)
	switch {
	case err == nil && cur.VersionID == v.VersionID:
		p.stats.Changed++
		return false, nil
	case err != nil && !errors.Is(err, objstore.ErrNoSuchKey):
		return false, p.failed(bucket, v.Key, err)
	}
	if err := deleteObject(ctx, b, bucket, v.Key, objstore.DeleteOptions{VersionID: v.VersionID}); err != nil {
		return false, p.failed(bucket, v.Key, err)
	}
	p.stats.Expired++
	p.record("s3:Lifecycle:ExpireNoncurrentVersion", bucket, v.Key, d.RuleID, fmt.Sprintf("removed version %s: noncurrent since %s, due %s",
		v.VersionID, since.UTC().Format(time.RFC3339), d.At.Format(time.RFC3339)))
	return true, p.acted(ctx)
}

// endKey removes k's expired object delete marker: its current version is a delete marker
// and every other version is gone (or was removed by this pass). The key is listed again
// first: a version written since keeps the marker (removing a noncurrent marker would
// be harmless anyway).
func (p *pass) endKey(ctx context.Context, bucket string, cfg *Configuration, k *keyRun) error {
	if k.unknown || k.marker == nil || k.seen-k.removed != 1 {
		return nil
	}
	d, ok := cfg.ExpiredMarker(k.key)
	if !ok {
		return nil
	}
	b := p.w.o.Backend
	res, err := b.ListObjectVersions(ctx, bucket, objstore.ListVersionsOptions{Prefix: k.key, MaxKeys: 2})
	if err != nil {
		return p.failed(bucket, k.key, err)
	}
	var mine []objstore.ObjectInfo
	for _, v := range res.Versions {
		if v.Key == k.key {
			mine = append(mine, v)
		}
	}
	if len(mine) != 1 || !mine[0].DeleteMarker || mine[0].VersionID != k.marker.VersionID {
		p.stats.Changed++
		return nil
	}
	if err := deleteObject(ctx, b, bucket, k.key, objstore.DeleteOptions{VersionID: k.marker.VersionID}); err != nil {
		return p.failed(bucket, k.key, err)
	}
	p.stats.Expired++
	p.record("s3:Lifecycle:ExpireDeleteMarker", bucket, k.key, d.RuleID, "removed the expired object delete marker "+k.marker.VersionID)
	return p.acted(ctx)
}
