package main

import (
	"anchorage/admin"
	"anchorage/conflict"
	"anchorage/protocol/activesync"
	"anchorage/protocol/activesync/coresession"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml/session"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anchorage/server"
	"anchorage/server/forwarded"
	"anchorage/server/metrics"
	"anchorage/server/web"
	"anchorage/store"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	data := storeFlags(fs)
	trace := fs.String("trace", "", "write every request and response to this directory")
	demo := fs.Bool("demo", false, `create user "demo" with password "demo" if missing`)
	certFile := fs.String("tls-cert", "", "TLS certificate file (PEM); serve https")
	keyFile := fs.String("tls-key", "", "TLS private key file (PEM)")
	maxBody := fs.Int64("max-body", server.DefaultMaxBodyBytes, "largest accepted request body in bytes")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	policy := fs.String("conflict", string(conflict.Default), "server-wide conflict policy: "+policyNames())
	deleteWins := fs.Bool("delete-wins", false, "a deletion wins over an edit made on another device (default: the edit survives)")
	gcPercent := fs.Int("gc-percent", defaultGCPercent, "garbage collector target percentage (as GOGC, which wins when set); 0 keeps Go's default")
	gcHeadroomMB := fs.Int64("gc-headroom-mb", defaultGCHeadroomMB, "most the heap may grow between collections, in MiB: the target goes down from --gc-percent towards 100 as the live heap grows; 0 keeps --gc-percent")
	memLimitMB := fs.Int64("memory-limit-mb", defaultMemoryLimitMB, "soft limit of the Go heap in MiB (as GOMEMLIMIT, which wins when set); 0 for none")
	metricsAddr := fs.String("metrics-listen", "", "serve /metrics, /healthz and /readyz on this address too, e.g. 127.0.0.1:9090 (/metrics is always on the main listener as well)")
	metricsOn := fs.Bool("metrics", true, "collect Prometheus metrics and serve /metrics; --metrics=false turns them off (to measure their cost)")
	pprofAddr := fs.String("pprof", "", "serve Go runtime profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off by default")
	holdPercent := fs.Int("hold-percent", engine.DefaultHoldRule.Percent, "hold a device session's deletes for the owner when they are more than this % of a datastore (100: never)")
	trusted := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (login throttling, logs and the web page then see the client); none by default")
	holdMin := fs.Int("hold-min", engine.DefaultHoldRule.MinItems, "... and at least this many items")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	rules := conflict.Rules{DeleteWins: *deleteWins}
	var err error
	if rules.Policy, err = conflict.ParsePolicy(*policy); err != nil {
		return fmt.Errorf("%w: --conflict: %v", errUsage, err)
	}
	if (*certFile == "") != (*keyFile == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	proxies, err := forwarded.ParseProxies(*trusted)
	if err != nil {
		return fmt.Errorf("%w: --trusted-proxies: %v", errUsage, err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("%w: --log-level: %v", errUsage, err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	defer tuneGC(*gcPercent, *gcHeadroomMB, *memLimitMB, log)()

	if *holdPercent < 1 || *holdPercent > 100 || *holdMin < 0 {
		return fmt.Errorf("%w: --hold-percent is 1..100 (100: never hold), --hold-min not negative", errUsage)
	}
	// The hub wakes parked EAS Pings after each committed write: of this
	// process, and on PostgreSQL of every process on the database.
	changes, closeHub, err := openHub(ctx, *data, true, log)
	if err != nil {
		return err
	}
	defer closeHub()
	reg := prometheus.NewRegistry()
	var ready func(context.Context) error
	var m *metrics.Metrics
	core, closeStore, err := createEngine(*data, log, func(o *engine.Options) {
		o.Conflict = rules
		o.Hub = changes // wakes parked EAS Pings after each committed write
		ready = readiness(o.Store)
		if *metricsOn {
			m = instrument(o, reg)
		}
		o.Hold = engine.HoldRule{Percent: *holdPercent, MinItems: *holdMin}
	})
	if err != nil {
		return err
	}
	defer closeStore()
	eng := session.New(core, session.Options{Logger: log})

	if *demo {
		err := admin.New(core).AddUser(ctx, "demo", "demo", true)
		if err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("create demo user: %w", err)
		}
	}

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "Anchorage serving SyncML at %s://%s/sync (data: %s)\n", scheme, l.Addr(), redact(*data))
	fmt.Fprintf(stdout, "Exchange ActiveSync at %s://%s%s\n", scheme, l.Addr(), activesync.Path)
	fmt.Fprintf(stdout, "web interface at %s://%s/\n", scheme, l.Addr())
	if *demo {
		fmt.Fprintln(stdout, `demo account: user "demo", password "demo"`)
	}
	log.Info("listening", "addr", l.Addr().String(), "data", redact(*data), "tls", *certFile != "", "conflict", rules.String(), "trusted_proxies", *trusted)

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go expireSessions(ctx, eng, log)
	if *pprofAddr != "" {
		if err := servePprof(ctx, *pprofAddr, log); err != nil {
			return err
		}
	}
	ui, err := web.New(web.Options{Ops: admin.New(core), Store: core.Store(), Logger: log, Started: time.Now(),
		StoreInfo: storeInfo(*data)})
	if err != nil {
		return err
	}
	eas := activesync.New(activesync.Options{Backend: coresession.New(core), Converter: activesync.PIMConverter{},
		Provisioning: activesync.ProvisionLoose, Logger: log, Parked: func(delta int) {
			switch {
			case m == nil:
			case delta > 0:
				m.PingParked()
			default:
				m.PingReleased()
			}
		}})
	var metricsHandler http.Handler
	if m != nil {
		metricsHandler = m.Handler()
	}
	srv := server.New(server.Options{SyncML: eng, ActiveSync: eas, Logger: log, MaxBodyBytes: *maxBody, TraceDir: *trace,
		Ready: ready, Metrics: metricsHandler, Web: ui, TrustedProxies: proxies})
	if *metricsAddr != "" {
		if err := serveAside(ctx, "metrics", *metricsAddr, srv.OpsHandler(metricsHandler), log); err != nil {
			return err
		}
	}
	err = srv.Serve(ctx, l, *certFile, *keyFile)
	log.Info("stopped")
	return err
}

// expireSessions drops abandoned sessions once a minute.
type sessionExpirer interface {
	ExpireSessions(ctx context.Context) (int, error)
}

func expireSessions(ctx context.Context, e sessionExpirer, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := e.ExpireSessions(ctx); err != nil {
				log.Warn("expiring sessions", "err", err)
			} else if n > 0 {
				log.Info("expired abandoned sessions", "count", n)
			}
		}
	}
}

// readiness is the backend's readiness check (backing /readyz), when it
// has one.
func readiness(st store.Store) func(context.Context) error {
	if r, ok := st.(interface{ Ready(context.Context) error }); ok {
		return r.Ready
	}
	return nil
}

// instrument hooks the metrics into the engine's options: the engine
// reports to them, the store is timed, and the backend's size (when it
// has one) backs the size gauge.
func instrument(o *engine.Options, reg *prometheus.Registry) *metrics.Metrics {
	var mo metrics.Options
	if sz, ok := o.Store.(interface{ Size() (int64, error) }); ok {
		mo.DatabaseSize = sz.Size
	}
	// mo.SessionTTL: the session handler's default TTL (30 minutes) is
	// the metrics' default too.
	m := metrics.New(reg, mo)
	o.Store = m.Store(o.Store)
	o.Observer = m
	return m
}
