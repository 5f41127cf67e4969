package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"

	"github.com/inkan-dev/inkan/internal/store"
)

// Counts are how many records of each kind a store holds.
type Counts struct {
	Providers, Roles, InlinePolicies, ManagedPolicies, Attachments, BucketPolicies, BucketSettings int
	SealingKeys, Blobs                                                                             int
	Decisions                                                                                      int64
}

// ErrTargetNotEmpty is Copy's refusal of a target that holds any record.
var ErrTargetNotEmpty = errors.New("the target store is not empty")

// decisionPage is how many decision records Copy moves per query.
const decisionPage = 1000

// Copy copies everything src holds into dst, which must be empty (no
// configuration record, sealing key, blob or decision: ErrTargetNotEmpty
// otherwise): providers, roles with their revocation times, inline and managed
// policies, attachments, bucket policies, sealing keys (retired ones with
// their dates), blobs with their versions, and the decision log in its order.
// It reads src in one read transaction and writes dst in one write
// transaction, so that a failed copy writes nothing, and leaves dst's
// generation above src's, so that no node holding a snapshot of src takes
// dst's for current. src and dst may be of different dialects.
func Copy(ctx context.Context, dst, src *Store) (Counts, error) {
	var c Counts
	err := src.read(ctx, func(stx *sql.Tx) error {
		return dst.write(ctx, func(dtx *sql.Tx) error {
			if err := refuseNonEmpty(ctx, dtx); err != nil {
				return err
			}
			snap, err := snapshot(ctx, stx)
			if err != nil {
				return fmt.Errorf("read the source: %w", err)
			}
			if c, err = copyState(ctx, dtx, stx, snap); err != nil {
				return err
			}
			_, err = exec(ctx, dtx, `UPDATE generation SET value = $1 WHERE id = 1 AND value <= $1`, snap.Generation+1)
			return err
		})
	})
	return c, wrap(err, "copy store", "")
}

// refuseNonEmpty returns ErrTargetNotEmpty if any table of tx's database
// holds a row.
func refuseNonEmpty(ctx context.Context, tx *sql.Tx) error {
	for _, table := range []string{"providers", "roles", "managed_policies", "bucket_policies", "bucket_settings", "sealing_keys", "blobs", "decisions"} {
		var any int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+table+` LIMIT 1) AS t`).Scan(&any)
		if err != nil {
			return classify(err)
		}
		if any > 0 {
			return fmt.Errorf("%w: it holds %s", ErrTargetNotEmpty, table)
		}
	}
	return nil
}

// copyState writes snap and src's keys, blobs and decisions through dtx.
func copyState(ctx context.Context, dtx, stx *sql.Tx, snap *store.Snapshot) (Counts, error) {
	c, err := copyConfiguration(ctx, dtx, snap)
	if err != nil {
		return c, err
	}
	keys, err := listSealingKeys(ctx, stx)
	if err != nil {
		return c, fmt.Errorf("read the source's sealing keys: %w", err)
	}
	for _, k := range keys {
		if err := insertSealingKey(ctx, dtx, k); err != nil {
			return c, wrap(err, "copy sealing key", k.ID)
		}
	}
	c.SealingKeys = len(keys)
	blobs, err := queryAll(ctx, stx, scanBlob, `SELECT name, data, version FROM blobs ORDER BY name`)
	if err != nil {
		return c, fmt.Errorf("read the source's blobs: %w", err)
	}
	for _, b := range blobs {
		if _, err := exec(ctx, dtx, `INSERT INTO blobs (name, data, version) VALUES ($1, $2, $3)`, b.name, b.data, b.version); err != nil {
			return c, wrap(err, "copy blob", b.name)
		}
	}
	c.Blobs = len(blobs)
	c.Decisions, err = copyDecisions(ctx, dtx, stx)
	return c, err
}

// copyConfiguration writes a snapshot's records through tx.
func copyConfiguration(ctx context.Context, tx *sql.Tx, snap *store.Snapshot) (Counts, error) {
	roleIDs := make(map[string]string, len(snap.Roles))
	for _, p := range snap.Providers {
		if err := insertProvider(ctx, tx, p); err != nil {
			return Counts{}, wrap(err, "copy provider", p.ARN)
		}
	}
	for _, r := range snap.Roles {
		if err := insertRole(ctx, tx, r); err != nil {
			return Counts{}, wrap(err, "copy role", r.Name)
		}
		roleIDs[r.Name] = r.ID
	}
	for _, p := range snap.ManagedPolicies {
		if err := insertManaged(ctx, tx, p); err != nil {
			return Counts{}, wrap(err, "copy managed policy", p.ARN)
		}
	}
	for _, p := range snap.RolePolicies {
		if err := upsertRolePolicy(ctx, tx, roleIDs[p.RoleName], p); err != nil {
			return Counts{}, wrap(err, "copy role policy", p.RoleName+"/"+p.Name)
		}
	}
	for _, a := range snap.Attachments {
		if err := insertAttachment(ctx, tx, roleIDs[a.RoleName], a.PolicyARN); err != nil {
			return Counts{}, wrap(err, "copy attachment", a.RoleName+" "+a.PolicyARN)
		}
	}
	for _, p := range snap.BucketPolicies {
		if err := upsertBucketPolicy(ctx, tx, p); err != nil {
			return Counts{}, wrap(err, "copy bucket policy", p.Bucket)
		}
	}
	for _, b := range snap.BucketSettings {
		if err := upsertBucketSetting(ctx, tx, b); err != nil {
			return Counts{}, wrap(err, "copy bucket setting", b.Bucket+"?"+b.Name)
		}
	}
	return countSnapshot(snap), nil
}

// copyDecisions copies the decision log in insertion order, a page at a time.
func copyDecisions(ctx context.Context, dtx, stx *sql.Tx) (int64, error) {
	var n, after int64
	for {
		type row struct {
			seq int64
			d   store.Decision
		}
		page, err := queryAll(ctx, stx, func(sc scanner) (row, error) {
			var (
				r  row
				us int64
			)
			err := sc.Scan(&r.seq, &r.d.RequestID, &us, &r.d.Service, &r.d.Action, &r.d.Outcome, &r.d.Body)
			r.d.Time = decodeTime(us)
			return r, err
		}, `SELECT seq, request_id, time, service, action, outcome, body FROM decisions WHERE seq > $1 ORDER BY seq LIMIT $2`, after, decisionPage)
		if err != nil {
			return n, fmt.Errorf("read the source's decisions: %w", err)
		}
		ds := make([]store.Decision, len(page))
		for i, r := range page {
			ds[i] = r.d
		}
		if err := insertDecisions(ctx, dtx, ds); err != nil {
			return n, wrap(err, "copy decisions", "")
		}
		if len(page) > 0 {
			after = page[len(page)-1].seq
		}
		n += int64(len(page))
		if len(page) < decisionPage {
			return n, nil
		}
	}
}

func countSnapshot(snap *store.Snapshot) Counts {
	return Counts{Providers: len(snap.Providers), Roles: len(snap.Roles), InlinePolicies: len(snap.RolePolicies),
		ManagedPolicies: len(snap.ManagedPolicies), Attachments: len(snap.Attachments), BucketPolicies: len(snap.BucketPolicies),
		BucketSettings: len(snap.BucketSettings)}
}

// Verify compares everything a and b hold (their snapshots but for the
// generation, sealing keys, blobs and the number of decision records) and
// returns what b holds, or an error naming the first part that differs.
func Verify(ctx context.Context, a, b *Store) (Counts, error) {
	var parts [2]struct {
		snap  *store.Snapshot
		keys  []store.SealingKey
		blobs []blob
		n     int64
	}
	for i, s := range []*Store{a, b} {
		p := &parts[i]
		err := s.read(ctx, func(tx *sql.Tx) error {
			var err error
			if p.snap, err = snapshot(ctx, tx); err != nil {
				return err
			}
			if p.keys, err = listSealingKeys(ctx, tx); err != nil {
				return err
			}
			if p.blobs, err = queryAll(ctx, tx, scanBlob, `SELECT name, data, version FROM blobs ORDER BY name`); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM decisions`).Scan(&p.n)
		})
		if err != nil {
			return Counts{}, wrap(err, "verify", "")
		}
		p.snap.Generation = 0
	}
	x, y := parts[0], parts[1]
	switch {
	case !reflect.DeepEqual(x.snap, y.snap):
		return Counts{}, errors.New("verify: the configurations differ")
	case !reflect.DeepEqual(x.keys, y.keys):
		return Counts{}, errors.New("verify: the sealing keys differ")
	case !equalBlobs(x.blobs, y.blobs):
		return Counts{}, errors.New("verify: the blobs differ")
	case x.n != y.n:
		return Counts{}, fmt.Errorf("verify: %d decision records against %d", x.n, y.n)
	}
	c := countSnapshot(y.snap)
	c.SealingKeys, c.Blobs, c.Decisions = len(y.keys), len(y.blobs), y.n
	return c, nil
}

// blob is one row of the blobs table.
type blob struct {
	name    string
	data    []byte
	version int64
}

func scanBlob(sc scanner) (blob, error) {
	var b blob
	return b, sc.Scan(&b.name, &b.data, &b.version)
}

func equalBlobs(a, b []blob) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].name != b[i].name || a[i].version != b[i].version || !bytes.Equal(a[i].data, b[i].data) {
			return false
		}
	}
	return true
}
