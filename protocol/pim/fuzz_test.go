package pim

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// contentTypes are the types the robustness checks try every input with.
var contentTypes = []string{"", "text/vcard", "text/x-vcard", "text/calendar", "text/x-vcalendar", "text/plain", "text/x-vnote"}

// checkRobust runs the whole API on one input without the recover in
// Describe, so a panic fails the test, and checks the invariants that
// hold for any input.
func checkRobust(t *testing.T, ct string, data []byte) {
	t.Helper()
	info := describe(ct, data)
	for name, s := range map[string]string{"UID": info.UID, "MatchKey": info.MatchKey, "Summary": info.Summary} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
	}
	dInfo, dType, dCanon, dErr := DescribeCanonical(ct, data)
	cType, cCanon, cErr := Canonical(ct, data)
	if dInfo != Describe(ct, data) || dType != cType ||
		!bytes.Equal(dCanon, cCanon) || (dErr == nil) != (cErr == nil) {
		t.Errorf("DescribeCanonical(%q) differs from Describe and Canonical:\n%+v %q %q %v\n%+v %q %q %v",
			ct, dInfo, dType, dCanon, dErr, Describe(ct, data), cType, cCanon, cErr)
	}
	if !Equivalent(ct, data, ct, data) {
		t.Errorf("item not Equivalent to itself (type %q)", ct)
	}
	_, _ = MergeCalendars([][]byte{data})
	_ = ConcatVCards([][]byte{data})
	_ = ConcatNotes([][]byte{data})
}

// TestRobustOnBrokenFixtures feeds the malformed and fuzzer-found inputs of
// libical and python icalendar (and their valid neighbours) to the package.
func TestRobustOnBrokenFixtures(t *testing.T) {
	forBrokenFixtures(t, 0, func(data []byte) {
		for _, ct := range contentTypes {
			checkRobust(t, ct, data)
		}
	})
}

// forBrokenFixtures calls fn with every file of libical's and python
// icalendar's test data (the malformed and fuzzer-found inputs and their
// valid neighbours), those up to maxSize bytes when maxSize > 0, and fails
// when fewer than 30 were found.
func forBrokenFixtures(t *testing.T, maxSize int64, fn func(data []byte)) {
	t.Helper()
	root := fixturesDir(t)
	n := 0
	for _, dir := range []string{"libical/test-data", "icalendar/src/icalendar/tests"} {
		err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if info, err := d.Info(); err != nil || maxSize > 0 && info.Size() > maxSize {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			n++
			fn(data)
			return nil
		})
		if err != nil {
			t.Skipf("walking %s: %v", dir, err)
		}
	}
	if n < 30 {
		t.Errorf("only %d files checked", n)
	}
}

func FuzzDescribe(f *testing.F) {
	for _, s := range []string{
		juergen21, juergen30, "",
		"BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:=\n=\n",
		"BEGIN:VCALENDAR\nTZ:+01\nBEGIN:VEVENT\nDTSTART:20240101T1000\nDTEND:20240101T235900\nEND:VEVENT\n",
		"BEGIN:VTODO\nDUE;TZID=/a/b/c/d:2024-01-01T10:00:00.5+0130\nEND:VTODO",
		"BEGIN:VTODO\nDUE;TZID=\xae:", // fuzzer: an 8-bit TZID made the match key invalid UTF-8
		"\xFF\xFEB\x00E\x00G\x00I\x00N\x00:\x00V\x00N\x00O\x00T\x00E\x00",
		"BEGIN:VNOTE\nBODY;CHARSET=ISO-8859-1:K\xe4se\nEND:VNOTE",
		"item1.TEL;\"a;b\":\\\n END:",
	} {
		f.Add("", []byte(s))
	}
	// Real items as seeds, when the shared corpora are present.
	for _, rel := range []string{
		ezText + "John_Doe_ANDROID.vcf", kdepimCard + "kdepim-umlaute-2.1.vcf",
		vcalDir + "KOrganizer_vCalTestCase01.vcs", evoTests + "eds_event.ics",
	} {
		if data, err := readFixtureNoSkip(rel); err == nil {
			f.Add("", data)
		}
	}
	f.Fuzz(func(t *testing.T, ct string, data []byte) {
		checkRobust(t, ct, data)
	})
}

// readFixtureNoSkip reads a fixture for a fuzz seed, without skipping the
// fuzz target when the corpora are absent.
func readFixtureNoSkip(rel string) ([]byte, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		cand := filepath.Join(dir, "shared", "fixtures", filepath.FromSlash(rel))
		if data, err := os.ReadFile(cand); err == nil {
			return data, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, fs.ErrNotExist
		}
		dir = parent
	}
}
