// Command testsummary reads `go test -json` on stdin and prints what plain
// `go test` prints (package results, the output of failing tests), then
// the number of passed, failed and skipped tests and the reasons for the
// skips, so that a run without ../shared shows what it did not run.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of test2json output (go doc test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// tally counts test results and collects skip reasons.
type tally struct {
	passed, failed, skipped int
	output                  map[string][]string // package/test -> output lines
	reasons                 map[string]int      // "package: reason" -> top-level tests skipped
}

func main() {
	t := &tally{output: map[string][]string{}, reasons: map[string]int{}}
	if err := t.read(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	t.print(os.Stdout)
}

func (t *tally) read(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event: build errors and the like go through as they are.
			fmt.Fprintln(w, sc.Text())
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output) // compiler errors (Go 1.24+ reports them as events)
		case e.Test == "" && e.Action == "output":
			// Package level: "ok", "FAIL", "--- FAIL" summaries, panics.
			if !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "PASS\n") {
				fmt.Fprint(w, e.Output)
			}
		case e.Test == "":
			// A package's own pass, fail or skip ("no test files"): its
			// output line above says so; only tests are counted.
		case e.Action == "output":
			t.output[key] = append(t.output[key], e.Output)
		case e.Action == "pass":
			t.passed++
			delete(t.output, key)
		case e.Action == "fail":
			t.failed++
			for _, l := range t.output[key] {
				fmt.Fprint(w, l)
			}
			delete(t.output, key)
		case e.Action == "skip":
			t.skipped++
			if !strings.Contains(e.Test, "/") {
				t.reasons[pkgName(e.Package)+": "+skipReason(t.output[key])]++
			}
			delete(t.output, key)
		}
	}
	return sc.Err()
}

// skipReason is the message a test passed to t.Skip: the indented output
// line after "=== RUN" and before "--- SKIP".
func skipReason(lines []string) string {
	for _, l := range lines {
		s := strings.TrimSpace(l)
		if strings.HasPrefix(s, "=== ") || strings.HasPrefix(s, "--- ") || s == "" {
			continue
		}
		if _, msg, ok := strings.Cut(s, ": "); ok && strings.Contains(s[:len(s)-len(msg)], ".go:") {
			return msg
		}
		return s
	}
	return "(no reason given)"
}

func pkgName(p string) string {
	return strings.TrimPrefix(p, "anchorage/")
}

func (t *tally) print(w io.Writer) {
	if len(t.reasons) > 0 {
		fmt.Fprintln(w, "Skipped tests (top level) by reason:")
		keys := make([]string, 0, len(t.reasons))
		for k := range t.reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %4d  %s\n", t.reasons[k], k)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped)
}
