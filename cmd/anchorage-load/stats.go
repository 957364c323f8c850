package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stats collects the outcome of a phase's sessions. Safe for concurrent use.
type Stats struct {
	mu       sync.Mutex
	start    time.Time
	end      time.Time
	ok       int
	failed   int
	changes  int // sessions that carried changes
	slow508  int
	retries  int
	received int
	errors   map[string]int
	samples  map[string]string // one example message per error kind
	notes    map[string]int
	perMsg   [][]time.Duration // index: message number - 1 (the last bucket takes the rest)
	all      []time.Duration
	session  []time.Duration
}

const msgBuckets = 4

func newStats() *Stats {
	return &Stats{start: time.Now(), errors: map[string]int{}, samples: map[string]string{}, notes: map[string]int{},
		perMsg: make([][]time.Duration, msgBuckets)}
}

// Add records one session.
func (s *Stats) Add(r *SessionResult, err error, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r != nil {
		for i, d := range r.Latency {
			s.perMsg[min(i, msgBuckets-1)] = append(s.perMsg[min(i, msgBuckets-1)], d)
			s.all = append(s.all, d)
		}
		if r.SlowForced {
			s.slow508++
		}
		s.retries += r.AuthRetries
		s.received += r.Received
		for _, n := range r.Notes {
			s.notes[n]++
		}
	}
	if err != nil {
		s.failed++
		kind := "other"
		var le *Error
		if errors.As(err, &le) {
			kind = le.Kind
		}
		s.errors[kind]++
		if _, ok := s.samples[kind]; !ok {
			s.samples[kind] = err.Error()
		}
		return
	}
	s.ok++
	if r != nil && r.Sent > 0 {
		s.changes++
	}
	s.session = append(s.session, elapsed)
}

// Finish marks the end of the phase.
func (s *Stats) Finish() {
	s.mu.Lock()
	s.end = time.Now()
	s.mu.Unlock()
}

// Summary is the report of one phase.
type Summary struct {
	Name          string
	Start         time.Time // wall clock, to find the phase in server logs
	Sessions      int
	OK            int
	Failed        int
	WithChanges   int
	Elapsed       time.Duration
	PerSecond     float64
	Messages      int
	Latency       Percentiles
	PerMsg        []Percentiles
	Session       Percentiles
	Errors        map[string]int
	ErrorSamples  map[string]string
	Notes         map[string]int
	Slow508       int
	AuthRetries   int
	Received      int
	ServerCPU     time.Duration // -1 when unknown; all nodes together
	ServerCPUPerS time.Duration
	DatabaseCPU   time.Duration // --db-pid's process tree; -1 when unknown
	Database      *dbCounters   // --pg-stats
	WriteTx       *writeTx      // servers started by the tool
}

// Percentiles of a latency sample.
type Percentiles struct {
	N             int
	P50, P99, Max time.Duration
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.5) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return Percentiles{N: len(s), P50: at(0.50), P99: at(0.99), Max: s[len(s)-1]}
}

func (s *Stats) Summary(name string) Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	end := s.end
	if end.IsZero() {
		end = time.Now()
	}
	el := end.Sub(s.start)
	sum := Summary{Name: name, Start: s.start.UTC(), Sessions: s.ok + s.failed, OK: s.ok, Failed: s.failed, WithChanges: s.changes,
		Elapsed: el, Messages: len(s.all), Latency: percentiles(s.all), Session: percentiles(s.session),
		Errors: s.errors, ErrorSamples: s.samples, Notes: s.notes, Slow508: s.slow508, AuthRetries: s.retries,
		Received: s.received, ServerCPU: -1, DatabaseCPU: -1}
	if el > 0 {
		sum.PerSecond = float64(s.ok) / el.Seconds()
	}
	for _, b := range s.perMsg {
		sum.PerMsg = append(sum.PerMsg, percentiles(b))
	}
	return sum
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

// Print writes a human-readable report of the phase.
func (sum Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "== %s: %d sessions (%d ok, %d failed, %d with changes) in %.2f s: %.1f sessions/s\n",
		sum.Name, sum.Sessions, sum.OK, sum.Failed, sum.WithChanges, sum.Elapsed.Seconds(), sum.PerSecond)
	fmt.Fprintf(w, "   latency per message (ms):  all n=%d p50 %s p99 %s max %s\n",
		sum.Latency.N, ms(sum.Latency.P50), ms(sum.Latency.P99), ms(sum.Latency.Max))
	for i, p := range sum.PerMsg {
		if p.N == 0 {
			continue
		}
		label := fmt.Sprintf("msg %d", i+1)
		if i == msgBuckets-1 {
			label = fmt.Sprintf("msg %d+", i+1)
		}
		fmt.Fprintf(w, "   %-26s n=%d p50 %s p99 %s max %s\n", label, p.N, ms(p.P50), ms(p.P99), ms(p.Max))
	}
	fmt.Fprintf(w, "   session (ms):              n=%d p50 %s p99 %s max %s\n",
		sum.Session.N, ms(sum.Session.P50), ms(sum.Session.P99), ms(sum.Session.Max))
	if sum.ServerCPU >= 0 {
		per := time.Duration(0)
		if sum.OK > 0 {
			per = sum.ServerCPU / time.Duration(sum.OK)
		}
		fmt.Fprintf(w, "   server CPU: %.2f s (%s ms per session)\n", sum.ServerCPU.Seconds(), ms(per))
	}
	if t := sum.WriteTx; t != nil && t.Count > 0 {
		n := float64(max(1, sum.OK))
		fmt.Fprintf(w, "   write transactions: %.2f per session, %.3f ms each, %.3f ms per session\n",
			t.Count/n, 1000*t.Seconds/t.Count, 1000*t.Seconds/n)
	}
	if sum.DatabaseCPU >= 0 {
		fmt.Fprintf(w, "   database CPU: %.2f s (%s ms per session)\n", sum.DatabaseCPU.Seconds(),
			ms(sum.DatabaseCPU/time.Duration(max(1, sum.OK))))
	}
	if sum.Slow508 > 0 || sum.AuthRetries > 0 || sum.Received > 0 {
		fmt.Fprintf(w, "   slow syncs forced (508): %d, md5 auth retries: %d, server changes received: %d\n",
			sum.Slow508, sum.AuthRetries, sum.Received)
	}
	if len(sum.Errors) == 0 {
		fmt.Fprintln(w, "   errors: none")
	} else {
		fmt.Fprintln(w, "   errors by kind:")
		for _, k := range sortedKeys(sum.Errors) {
			fmt.Fprintf(w, "     %-24s %d  (e.g. %s)\n", k, sum.Errors[k], truncate(sum.ErrorSamples[k], 160))
		}
	}
	if len(sum.Notes) > 0 {
		var parts []string
		for _, k := range sortedKeys(sum.Notes) {
			parts = append(parts, fmt.Sprintf("%s=%d", k, sum.Notes[k]))
		}
		fmt.Fprintf(w, "   notes: %s\n", strings.Join(parts, " "))
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
