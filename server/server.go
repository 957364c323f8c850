// Package server is the HTTP front of Anchorage: routing, body limits,
// content types, logging, protocol traces and graceful shutdown. It moves
// bytes and identities and knows no SyncML details; the engine does the rest.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"anchorage/protocol/syncml/session"
	"anchorage/server/forwarded"
)

// Options configure a Server.
type Options struct {
	SyncML *session.Handler
	Logger *slog.Logger
	// MaxBodyBytes caps a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// TraceDir, when set, receives every request and response of every
	// session: DIR/<device>/<session>/NN-in.xml and NN-out.xml.
	TraceDir string
	// ActiveSync, when set, serves Exchange ActiveSync at
	// /Microsoft-Server-ActiveSync (MS-ASHTTP 2.2.1) on the same listener.
	ActiveSync http.Handler
	// Web, when set, serves every path no other route claims: the web
	// interface at "/".
	Web http.Handler
	// Ready reports whether the store is reachable and migrated, for GET
	// /readyz; nil means always ready (until shutdown).
	Ready func(context.Context) error
	// Metrics, when set, is served at GET /metrics.
	Metrics http.Handler
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; none by default.
	TrustedProxies forwarded.Proxies
}

// DefaultMaxBodyBytes is the default request body limit: well above the
// MaxMsgSize the engine advertises, far below what could exhaust memory.
const DefaultMaxBodyBytes = 4 << 20

// Content types of SyncML over HTTP (OMA SyncML HTTP Binding 5.2).
const (
	contentTypeXML   = "application/vnd.syncml+xml"
	contentTypeWBXML = "application/vnd.syncml+wbxml"
)

// Server serves SyncML over HTTP.
type Server struct {
	syncml  *session.Handler
	log     *slog.Logger
	maxBody int64
	trace   *tracer
	mux     *http.ServeMux
	handler http.Handler // mux behind the trusted proxies' header rewrite
	ready   func(context.Context) error
	// stopping is set when graceful shutdown begins: /readyz then fails so
	// that a load balancer stops sending new sessions.
	stopping atomic.Bool
}

// New returns a Server.
func New(opts Options) *Server {
	s := &Server{syncml: opts.SyncML, log: opts.Logger, maxBody: opts.MaxBodyBytes, ready: opts.Ready}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if opts.TraceDir != "" {
		s.trace = &tracer{dir: opts.TraceDir, log: s.log}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/sync", s.handleSync)
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	if opts.ActiveSync != nil {
		s.mux.Handle("/Microsoft-Server-ActiveSync", opts.ActiveSync)
	}
	if opts.Web != nil {
		s.mux.Handle("/", opts.Web)
	}
	s.mux.HandleFunc("/readyz", s.handleReady)
	if opts.Metrics != nil {
		s.mux.Handle("GET /metrics", opts.Metrics)
	}
	s.handler = opts.TrustedProxies.Handler(s.mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "SyncML endpoint: POST "+contentTypeXML+" messages here", http.StatusMethodNotAllowed)
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	enc := session.XML
	switch {
	case err == nil && mt == contentTypeXML:
	case err == nil && mt == contentTypeWBXML:
		enc = session.WBXML
	default:
		s.log.Warn("unsupported content type", "content_type", r.Header.Get("Content-Type"), "remote", r.RemoteAddr)
		http.Error(w, "unsupported content type: send "+contentTypeXML+" or "+contentTypeWBXML, http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.log.Warn("request body too large", "limit", s.maxBody, "remote", r.RemoteAddr)
			http.Error(w, fmt.Sprintf("message larger than %d bytes", s.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		s.log.Warn("reading request body", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}

	req := session.Request{
		Body:       body,
		SessionKey: r.URL.Query().Get("sessionid"),
		BaseURL:    baseURL(r),
		Remote:     r.RemoteAddr,
		Encoding:   enc,
	}
	resp, err := s.syncml.HandleSyncML(r.Context(), req)
	if err != nil {
		var re *session.RequestError
		code := http.StatusInternalServerError
		if errors.As(err, &re) {
			code = re.Status
			if re.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(re.RetryAfter.Seconds())))
			}
		}
		s.log.Warn("sync request failed", "status", code, "err", err, "remote", r.RemoteAddr,
			"session", req.SessionKey, "duration", time.Since(start))
		s.trace.summary("unknown", code, len(body), 0)
		http.Error(w, http.StatusText(code)+": "+err.Error(), code)
		return
	}
	s.trace.write(resp.DeviceID, resp.SessionKey, resp.MsgNo, body, resp.Body)
	w.Header().Set("Content-Type", mt)
	if _, err := w.Write(resp.Body); err != nil {
		s.log.Warn("writing response", "err", err, "remote", r.RemoteAddr)
	}
	s.log.Info("sync message", "user", resp.UserName, "device", resp.DeviceID, "session", resp.SessionKey,
		"msg_no", resp.MsgNo, "in_bytes", len(body), "out_bytes", len(resp.Body), "duration", time.Since(start))
}

// baseURL is the sync endpoint's URL as the client reached it; the engine
// appends the session to it to build the RespURI.
func baseURL(r *http.Request) string {
	return forwarded.Scheme(r) + "://" + r.Host + r.URL.Path
}

// Serve accepts connections on l until ctx is cancelled, then shuts down
// gracefully, letting requests in flight finish (up to 10 s).
func (s *Server) Serve(ctx context.Context, l net.Listener, certFile, keyFile string) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(l, certFile, keyFile)
		} else {
			errc <- hs.Serve(l)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.stopping.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	return nil
}
