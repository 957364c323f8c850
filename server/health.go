package server

import (
	"context"
	"io"
	"net/http"
	"time"
)

// handleReady answers GET /readyz: 200 when the store is reachable and
// migrated, 503 when it is not or the server is shutting down.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.stopping.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			s.log.Warn("not ready", "err", err)
			http.Error(w, "store not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	_, _ = io.WriteString(w, "ready\n")
}

// OpsHandler serves the operational endpoints alone (/healthz, /readyz
// and /metrics), for a listener of their own (serve --metrics-listen).
func (s *Server) OpsHandler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", s.handleReady)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	return mux
}
