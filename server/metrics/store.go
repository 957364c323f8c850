package metrics

import (
	"context"
	"time"

	"anchorage/store"
)

// Store wraps st so that every transaction's duration, from the call to
// its commit or rollback, lands in anchorage_store_transaction_duration_seconds.
func (m *Metrics) Store(st store.Store) store.Store { return &timedStore{Store: st, m: m} }

type timedStore struct {
	store.Store
	m *Metrics
}

func (s *timedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	defer s.observe("update", time.Now())
	return s.Store.Update(ctx, fn)
}

func (s *timedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	defer s.observe("view", time.Now())
	return s.Store.View(ctx, fn)
}

func (s *timedStore) observe(kind string, start time.Time) {
	s.m.txLatency.WithLabelValues(kind).Observe(time.Since(start).Seconds())
}
