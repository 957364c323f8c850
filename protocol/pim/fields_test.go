package pim

import (
	"reflect"
	"testing"
)

func TestFields(t *testing.T) {
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nN:Doe;Jane;;;\r\nFN:Jane <script>\r\nTEL;TYPE=CELL:+1 555\r\nNOTE:a\\, b\\nc\r\nEND:VCARD\r\n"
	got := Fields("text/vcard", []byte(card))
	want := []Field{{"N", "Doe Jane"}, {"FN", "Jane <script>"}, {"TEL", "+1 555"}, {"NOTE", "a, b\nc"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("contact fields = %q, want %q", got, want)
	}
	ev := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e\r\nSUMMARY:Lunch\r\nDTSTART:20240506T120000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	got = Fields("text/calendar", []byte(ev))
	want = []Field{{"SUMMARY", "Lunch"}, {"DTSTART", "20240506T120000Z"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event fields = %q, want %q", got, want)
	}
	if got := Fields("text/plain", []byte("shopping\nmilk")); !reflect.DeepEqual(got, []Field{{"TEXT", "shopping\nmilk"}}) {
		t.Errorf("note fields = %q", got)
	}
	if got := Fields("text/vcard", []byte("garbage")); len(got) != 0 {
		t.Errorf("garbage fields = %q, want none", got)
	}
}
