package pim

import "strings"

// EAS notes (MS-ASNOTE 2.2.2, EAS 14.0 and later) <-> the text the notes
// datastore holds: the first line is the subject, as SIF-N and the
// SyncML notes clients have it (note.go); the body follows.

// EASNoteToText converts Notes ApplicationData (Subject, AirSyncBase Body,
// Categories) to note text; categories and MessageClass have no place in
// plain text and are named in lost.
func EASNoteToText(fields []EASField) (text []byte, lost []string) {
	subject, body := easGet(fields, "Subject"), ""
	for _, f := range fields {
		switch f.Name {
		case "Body":
			body = strings.ReplaceAll(f.Value, "\r\n", "\n")
		case "Categories":
			if len(f.Items) > 0 {
				lost = append(lost, "Categories")
			}
		}
	}
	if subject != "" && !strings.HasPrefix(body, subject) {
		if body == "" {
			return []byte(subject), lost
		}
		return []byte(subject + "\n" + body), lost
	}
	return []byte(body), lost
}

// TextToEASNote converts note text to Notes ApplicationData: the first
// line as Subject, the whole text as the plain-text Body (devices show the
// body, and a subject line in it keeps the text whole).
func TextToEASNote(text []byte) []EASField {
	t := strings.ReplaceAll(string(text), "\r\n", "\n")
	subject, _, _ := strings.Cut(strings.TrimLeft(t, "\n"), "\n")
	return []EASField{
		{Space: "Notes", Name: "Subject", Value: strings.TrimSpace(subject)},
		{Space: "AirSyncBase", Name: "Body", Value: t},
		{Space: "Notes", Name: "MessageClass", Value: "IPM.StickyNote"},
	}
}
