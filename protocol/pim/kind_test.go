package pim

import "testing"

func TestDetectKind(t *testing.T) {
	const (
		card  = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n"
		event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		task  = "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VTODO\nEND:VTODO\nEND:VCALENDAR\n"
		memo  = "BEGIN:VCALENDAR\nBEGIN:VJOURNAL\nEND:VJOURNAL\nEND:VCALENDAR\n"
		vnote = "BEGIN:VNOTE\nBODY:x\nEND:VNOTE\n"
	)
	tests := []struct {
		name string
		ct   string
		data string
		want Kind
	}{
		{"vcard type", "text/vcard", "", KindContact},
		{"x-vcard type with params", " Text/X-VCard; charset=UTF-8", "garbage", KindContact},
		{"calendar type, event", "text/calendar", event, KindEvent},
		{"calendar type, task", "text/calendar", task, KindTask},
		{"x-vcalendar type, task", "text/x-vcalendar", task, KindTask},
		{"calendar type, no component", "text/calendar", "", KindEvent},
		{"calendar type, journal", "text/calendar", memo, KindNote},
		{"plain", "text/plain", "hello", KindNote},
		{"vnote type", "text/x-vnote", vnote, KindNote},
		{"sniff card", "", card, KindContact},
		{"sniff card under octet-stream", "application/octet-stream", card, KindContact},
		{"sniff card with BOM and blank lines", "", "\xEF\xBB\xBF\r\n  " + card, KindContact},
		{"sniff lower-case", "", "begin:vcard\nfn:a\nend:vcard\n", KindContact},
		{"sniff event", "", event, KindEvent},
		{"sniff task", "", task, KindTask},
		{"sniff bare vtodo", "", "BEGIN:VTODO\nEND:VTODO\n", KindTask},
		{"sniff vnote", "", vnote, KindNote},
		{"sniff utf-16 card", "", "\xFF\xFEB\x00E\x00G\x00I\x00N\x00:\x00V\x00C\x00A\x00R\x00D\x00", KindContact},
		{"card sent as text/plain", "text/plain", card, KindContact},
		{"unknown", "application/x-foo", "hello", KindUnknown},
		{"nothing", "", "", KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectKind(tt.ct, []byte(tt.data)); got != tt.want {
				t.Errorf("DetectKind(%q) = %v, want %v", tt.ct, got, tt.want)
			}
		})
	}
}

func TestFileExtension(t *testing.T) {
	for k, want := range map[Kind]string{KindContact: ".vcf", KindEvent: ".ics", KindTask: ".ics", KindNote: ".txt", KindUnknown: ""} {
		if got := FileExtension(k); got != want {
			t.Errorf("FileExtension(%v) = %q, want %q", k, got, want)
		}
	}
}
