package conflict

import (
	"strings"
	"testing"
	"time"

	"anchorage/protocol/pim"
)

var (
	tBase   = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	tEarly  = tBase.Add(time.Hour)
	tLate   = tBase.Add(2 * time.Hour)
	vcard30 = "text/vcard"
	vcard21 = "text/x-vcard"
)

func card(lines ...string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCARD\r\n"
}

func card21(lines ...string) string {
	return "BEGIN:VCARD\r\nVERSION:2.1\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCARD\r\n"
}

func version(ct, data string, at time.Time) Version {
	return Version{ContentType: ct, Data: []byte(data), Modified: at}
}

func deleted(at time.Time) Version { return Version{Deleted: true, Modified: at} }

const (
	fn   = "FN:Ann Smith"
	n    = "N:Smith;Ann;;;"
	cell = "TEL;TYPE=CELL:+1 555 0100"
	mail = "EMAIL:ann@example.org"
)

var baseCard = card(fn, n, cell, mail)

// mirror is the outcome seen from the other side.
func mirror(o Outcome) Outcome {
	switch o {
	case TakeClient:
		return KeepServer
	case KeepServer:
		return TakeClient
	}
	return o
}

func mirrorStatus(s int) int {
	switch s {
	case StatusClientWon:
		return StatusServerWon
	case StatusServerWon:
		return StatusClientWon
	}
	return s
}

// TestPolicies: every policy on the same conflicts, and the mirror check:
// with server and client swapped (their times too) the other side wins.
func TestPolicies(t *testing.T) {
	serverEdit := version(vcard30, card(fn, n, cell, mail, "TEL;TYPE=WORK:+1 555 0200"), tEarly) // adds a phone
	clientEdit := version(vcard30, card(fn, n, cell, "EMAIL:ann@new.example"), tLate)            // changes the email
	base := version(vcard30, baseCard, tBase)
	type want struct {
		outcome Outcome
		status  int
	}
	tests := []struct {
		name           string
		rules          Rules
		server, client Version
		want           want
		mirrors        bool // the swapped case gives the mirrored result
	}{
		{"merge, different fields", Rules{Policy: Merge}, serverEdit, clientEdit, want{TakeMerged, StatusMerged}, true},
		{"newer-wins: client newer", Rules{Policy: NewerWins}, serverEdit, clientEdit, want{TakeClient, StatusClientWon}, true},
		{"newer-wins: server newer", Rules{Policy: NewerWins}, version(vcard30, card(fn, n), tLate), version(vcard30, card(fn, n, cell), tEarly), want{KeepServer, StatusServerWon}, true},
		{"server-wins", Rules{Policy: ServerWins}, serverEdit, clientEdit, want{KeepServer, StatusServerWon}, false},
		{"client-wins", Rules{Policy: ClientWins}, serverEdit, clientEdit, want{TakeClient, StatusClientWon}, false},
		{"duplicate", Rules{Policy: Duplicate}, serverEdit, clientEdit, want{MakeCopy, StatusDuplicated}, true},
		{"read-only", Rules{Policy: ReadOnly}, serverEdit, clientEdit, want{KeepServer, StatusServerWon}, false},
		{"merge: client deleted, server edited: edit survives", Rules{Policy: Merge}, serverEdit, deleted(tLate), want{KeepServer, StatusServerWon}, true},
		{"merge: server deleted, client edited: edit survives", Rules{Policy: Merge}, deleted(tLate), clientEdit, want{TakeClient, StatusClientWon}, true},
		{"client-wins: client deleted: edit still survives", Rules{Policy: ClientWins}, serverEdit, deleted(tLate), want{KeepServer, StatusServerWon}, false},
		{"server-wins: server deleted: edit still survives", Rules{Policy: ServerWins}, deleted(tLate), clientEdit, want{TakeClient, StatusClientWon}, false},
		{"delete wins: client deleted", Rules{Policy: Merge, DeleteWins: true}, serverEdit, deleted(tEarly), want{TakeClient, StatusClientWon}, true},
		{"delete wins: server deleted", Rules{Policy: Merge, DeleteWins: true}, deleted(tEarly), clientEdit, want{KeepServer, StatusServerWon}, true},
		{"both deleted", Rules{Policy: Merge}, deleted(tEarly), deleted(tLate), want{TakeClient, StatusApplied}, false},
		{"read-only: client deleted", Rules{Policy: ReadOnly, DeleteWins: true}, serverEdit, deleted(tLate), want{KeepServer, StatusServerWon}, false},
		{"read-only: server deleted, client edited", Rules{Policy: ReadOnly}, deleted(tEarly), clientEdit, want{KeepServer, StatusServerWon}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Resolve(tc.rules, &base, tc.server, tc.client)
			if got.Outcome != tc.want.outcome || got.Status != tc.want.status {
				t.Fatalf("got %v/%d, want %v/%d", got.Outcome, got.Status, tc.want.outcome, tc.want.status)
			}
			if !tc.mirrors {
				return
			}
			m := Resolve(tc.rules, &base, tc.client, tc.server)
			wantOutcome, wantStatus := mirror(tc.want.outcome), mirrorStatus(tc.want.status)
			if m.Outcome != wantOutcome || m.Status != wantStatus {
				t.Fatalf("swapped: got %v/%d, want %v/%d", m.Outcome, m.Status, wantOutcome, wantStatus)
			}
			if got.Outcome == TakeMerged && !pim.Equivalent(got.ContentType, got.Data, m.ContentType, m.Data) {
				t.Errorf("merge depends on which side is the server:\n%s\n---\n%s", got.Data, m.Data)
			}
		})
	}
}

// mergeCase is a three-way merge and what the result must (not) hold.
type mergeCase struct {
	name                 string
	base                 *Version
	server, client       Version
	contains, notContain []string
}

func TestMerge(t *testing.T) {
	base := version(vcard30, baseCard, tBase)
	tests := []mergeCase{
		{
			name:     "different fields: both changes kept",
			base:     &base,
			server:   version(vcard30, card(fn, n, cell, mail, "TEL;TYPE=WORK:+1 555 0200"), tEarly),
			client:   version(vcard30, card(fn, n, cell, "EMAIL:ann@new.example"), tLate),
			contains: []string{"+1 555 0200", "ann@new.example", "+1 555 0100"}, notContain: []string{"ann@example.org"},
		},
		{
			name:     "same field: the newer change wins, the other fields merge",
			base:     &base,
			server:   version(vcard30, card("FN:Ann Smythe", "N:Smythe;Ann;;;", cell, mail), tEarly),
			client:   version(vcard30, card("FN:Annie Smith", "N:Smith;Annie;;;", cell, mail, "TITLE:Engineer"), tLate),
			contains: []string{"FN:Annie Smith", "TITLE:Engineer"}, notContain: []string{"Smythe"},
		},
		{
			name:     "same field, server newer",
			base:     &base,
			server:   version(vcard30, card("FN:Ann Smythe", "N:Smythe;Ann;;;", cell, mail), tLate),
			client:   version(vcard30, card("FN:Annie Smith", "N:Smith;Annie;;;", cell, mail), tEarly),
			contains: []string{"FN:Ann Smythe"}, notContain: []string{"Annie"},
		},
		{
			name:     "a removal on one side stays removed",
			base:     &base,
			server:   version(vcard30, card(fn, n, mail), tEarly), // phone removed
			client:   version(vcard30, card(fn, n, cell, mail, "NOTE:met at the fair"), tLate),
			contains: []string{"NOTE:met at the fair"}, notContain: []string{"0100"},
		},
		{
			name:     "no base: everything either side has is kept",
			server:   version(vcard30, card(fn, n, cell), tEarly),
			client:   version(vcard30, card(fn, n, mail), tLate),
			contains: []string{"0100", "ann@example.org"},
		},
		{
			name:     "vCard 2.1 device against a 3.0 server version",
			base:     &base,
			server:   version(vcard30, card(fn, n, cell, mail, "TEL;TYPE=WORK:+1 555 0200"), tEarly),
			client:   version(vcard21, card21(fn, "N:Smith;Ann", "TEL;CELL:+1 555 0100", mail, "TEL;HOME:+1 555 0300"), tLate),
			contains: []string{"0100", "0200", "0300", "ann@example.org"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, swapped := range []bool{false, true} {
				s, c := tc.server, tc.client
				if swapped {
					s, c = c, s
				}
				res := Resolve(Rules{Policy: Merge}, tc.base, s, c)
				var text string
				switch res.Outcome {
				case TakeMerged:
					text = string(res.Data)
				case TakeClient:
					text = string(c.Data)
				case KeepServer:
					text = string(s.Data)
				default:
					t.Fatalf("swapped=%v: outcome %v", swapped, res.Outcome)
				}
				_, canon, err := pim.Canonical(vcard30, []byte(text))
				if err == nil {
					text = string(canon)
				}
				for _, w := range tc.contains {
					if !strings.Contains(text, w) {
						t.Errorf("swapped=%v: merged item lacks %q:\n%s", swapped, w, text)
					}
				}
				for _, w := range tc.notContain {
					if strings.Contains(text, w) {
						t.Errorf("swapped=%v: merged item still holds %q:\n%s", swapped, w, text)
					}
				}
			}
		})
	}
}

// TestDuplicateMarksCopy: the copy carries the device's content with its
// name marked, so the user finds it beside the original.
func TestDuplicateMarksCopy(t *testing.T) {
	res := Resolve(Rules{Policy: Duplicate}, nil, version(vcard30, card(fn, n, cell), tEarly), version(vcard30, card(fn, n, mail), tLate))
	if !strings.Contains(string(res.Data), "FN:Ann Smith"+CopySuffix) || !strings.Contains(string(res.Data), "ann@example.org") {
		t.Errorf("copy:\n%s", res.Data)
	}
}

// TestMergeEvents: events merge by property too; an alarm added on one side
// and a location changed on the other both survive.
func TestMergeEvents(t *testing.T) {
	ev := func(extra ...string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev1\r\nSUMMARY:Review\r\nDTSTART:20260301T100000Z\r\nDTEND:20260301T110000Z\r\n" +
			strings.Join(extra, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	base := version("text/calendar", ev("LOCATION:Room 1"), tBase)
	server := version("text/calendar", ev("LOCATION:Room 2"), tEarly)
	client := version("text/calendar", ev("LOCATION:Room 1", "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM"), tLate)
	res := Resolve(Rules{}, &base, server, client)
	if res.Outcome != TakeMerged || !strings.Contains(string(res.Data), "LOCATION:Room 2") || !strings.Contains(string(res.Data), "TRIGGER:-PT15M") {
		t.Errorf("outcome %v:\n%s", res.Outcome, res.Data)
	}
}

func TestParsePolicy(t *testing.T) {
	if p, err := ParsePolicy(""); err != nil || p != Merge {
		t.Errorf(`ParsePolicy("") = %q, %v; want the default, merge`, p, err)
	}
	for _, p := range Policies {
		if got, err := ParsePolicy(strings.ToUpper(string(p))); err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %q, %v", p, got, err)
		}
	}
	if _, err := ParsePolicy("bogus"); err == nil || !strings.Contains(err.Error(), "merge") {
		t.Errorf("ParsePolicy(bogus) = %v; want an error listing the policies", err)
	}
}
