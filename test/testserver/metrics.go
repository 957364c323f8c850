package testserver

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// ScrapeMetrics reads GET base/metrics over HTTP and returns the value of
// every series, keyed by its name and labels as the text format writes
// them, e.g. `anchorage_sessions_total{mode="slow",outcome="ok",protocol="syncml"}`.
func ScrapeMetrics(base string) (map[string]float64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read /metrics: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s\n%s", resp.Status, body)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %w", line, err)
		}
		out[line[:i]] = v
	}
	return out, nil
}

// MustScrapeMetrics is ScrapeMetrics failing the test on an error.
func MustScrapeMetrics(tb testing.TB, base string) map[string]float64 {
	tb.Helper()
	m, err := ScrapeMetrics(base)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
