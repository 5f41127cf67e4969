package iam

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/session"
	"github.com/inkan-dev/inkan/internal/store"
)

// MaxSessionLifetime is the longest session AWS issues (43,200 s); a retired sealing key stays
// able to open tokens for this long (plus a margin) after its retirement.
const MaxSessionLifetime = 12 * time.Hour

const retiredKeyMargin = 10 * time.Minute

// loadRing builds the sealing key ring from the store, creating the first key on first start.
func (s *Service) loadRing(ctx context.Context) (*session.Ring, error) {
	active, others, err := s.sealingKeys(ctx, true)
	if err != nil {
		return nil, err
	}
	return session.NewRing(active, others, s.opt.Rand)
}

// sealingKeys reads the keys: the newest unretired one seals, and every other unretired key
// and every key retired less than a session's life ago still opens. An older unretired key
// exists while another node is between the two steps of a rotation (or after two nodes
// created a first key at once); its tokens stay valid. When no key is unretired, create
// says whether to make one (first start) or fail.
func (s *Service) sealingKeys(ctx context.Context, create bool) (session.Key, []session.Key, error) {
	keys, err := s.opt.Store.ListSealingKeys(ctx)
	if err != nil {
		return session.Key{}, nil, serviceFailure(fmt.Errorf("iam: sealing keys: %w", err))
	}
	var active *store.SealingKey
	for i := range keys {
		if k := &keys[i]; k.RetireDate.IsZero() && (active == nil || k.CreateDate.After(active.CreateDate)) {
			active = k
		}
	}
	var others []session.Key
	now := s.opt.Now()
	for i := range keys {
		k := &keys[i]
		if k == active || (!k.RetireDate.IsZero() && now.Sub(k.RetireDate) >= MaxSessionLifetime+retiredKeyMargin) {
			continue
		}
		if id, err := strconv.ParseUint(k.ID, 16, 64); err == nil {
			others = append(others, session.Key{ID: id, Secret: k.Secret})
		}
	}
	if active == nil {
		if !create {
			return session.Key{}, nil, serviceFailure(fmt.Errorf("iam: the store holds no active sealing key"))
		}
		if active, err = s.newSealingKey(ctx); err != nil {
			return session.Key{}, nil, err
		}
	}
	id, err := strconv.ParseUint(active.ID, 16, 64)
	if err != nil {
		return session.Key{}, nil, fmt.Errorf("iam: sealing key id %q: %w", active.ID, err)
	}
	return session.Key{ID: id, Secret: active.Secret}, others, nil
}

func (s *Service) newSealingKey(ctx context.Context) (*store.SealingKey, error) {
	buf := make([]byte, 8+32)
	if _, err := io.ReadFull(s.opt.Rand, buf); err != nil {
		return nil, fmt.Errorf("iam: new sealing key: %w", err)
	}
	k := store.SealingKey{ID: strconv.FormatUint(binary.BigEndian.Uint64(buf[:8]), 16), Secret: buf[8:], CreateDate: s.opt.Now().UTC()}
	if err := s.opt.Store.AddSealingKey(ctx, k); err != nil {
		return nil, serviceFailure(fmt.Errorf("iam: storing sealing key: %w", err))
	}
	return &k, nil
}

// RotateSealingKeys makes a new sealing key active and retires the others. Sessions sealed
// with a retired key stay valid for their whole life. The new key is added before the old
// ones are retired, so a node reading the keys in between always finds an active key.
func (s *Service) RotateSealingKeys(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fresh, err := s.newSealingKey(ctx)
	if err != nil {
		return err
	}
	keys, err := s.opt.Store.ListSealingKeys(ctx)
	if err != nil {
		return serviceFailure(err)
	}
	now := s.opt.Now().UTC()
	for _, k := range keys {
		if k.RetireDate.IsZero() && k.ID != fresh.ID {
			if err := s.opt.Store.RetireSealingKey(ctx, k.ID, now); err != nil {
				return serviceFailure(err)
			}
		}
	}
	return s.ReloadKeys(ctx)
}

// ReloadKeys re-reads the sealing keys (after a rotation by this or another node).
func (s *Service) ReloadKeys(ctx context.Context) error {
	active, others, err := s.sealingKeys(ctx, false)
	if err != nil {
		return err
	}
	return s.ring.Replace(active, others)
}

// SealingKeyCreated returns when the active sealing key (the newest unretired one) was
// made, for operators; the zero time when there is none.
func (s *Service) SealingKeyCreated(ctx context.Context) (time.Time, error) {
	keys, err := s.opt.Store.ListSealingKeys(ctx)
	if err != nil {
		return time.Time{}, storeError(err, nil, nil, nil)
	}
	var created time.Time
	for _, k := range keys {
		if k.RetireDate.IsZero() && k.CreateDate.After(created) {
			created = k.CreateDate
		}
	}
	return created, nil
}

// ProviderKeys returns what the token verifier knows of the issuer's keys; false when none
// of its tokens was verified since start.
func (s *Service) ProviderKeys(url string) (oidc.IssuerStatus, bool) {
	return s.opt.Verifier.Status(url)
}
