package pim

import (
	"errors"
	"testing"
)

// convertTypes are the types the conversion checks try every input with.
var convertTypes = []string{"text/vcard", "text/x-vcard", "text/calendar", "text/x-vcalendar", "text/plain", "text/x-vnote"}

// checkConvert runs convert on one input for one pair of types without
// the recover of Convert, so a panic fails, and checks what holds for any
// input: a failure is ErrUnsupported or ErrMalformed, and what converts
// to another format converts back.
func checkConvert(t *testing.T, data []byte, from, to string) {
	t.Helper()
	out, _, err := convert(data, from, to, ConvertOptions{})
	if err != nil {
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("%s -> %s: error %v is neither ErrMalformed nor ErrUnsupported", from, to, err)
		}
		return
	}
	_ = Unrepresentable(from, to, data)
	src, _ := sourceFormat(from, data)
	if dst, _ := targetFormat(to); src == dst {
		return // returned as it is, not checked further
	}
	if _, _, err := convert(out, to, from, ConvertOptions{}); err != nil && !errors.Is(err, ErrUnsupported) {
		t.Fatalf("%s -> %s converts, but not back: %v\ninput:\n%q\noutput:\n%q", from, to, err, data, out)
	}
}

// TestConvertRobust feeds the malformed and fuzzer-found inputs of libical
// and python icalendar (and their valid neighbours) to every conversion.
func TestConvertRobust(t *testing.T) {
	forBrokenFixtures(t, 200<<10, func(data []byte) {
		for _, from := range convertTypes {
			for _, to := range convertTypes {
				checkConvert(t, data, from, to)
			}
		}
	})
}

func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		juergen21, juergen30, "",
		"BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE:=\n=\nAGENT:\nBEGIN:VCARD\nFN:x\nEND:VCARD\nEND:VCARD\n",
		"BEGIN:VCARD\r\nVERSION:4.0\r\nPHOTO:data:image/png;base64,AAAA\r\nTEL;VALUE=uri:tel:1\r\nEND:VCARD\r\n",
		"BEGIN:VCALENDAR\nTZ:+01\nDAYLIGHT:TRUE;+02;20240331T020000;20241027T030000;CET;CEST\nBEGIN:VEVENT\n" +
			"DTSTART:20240101T1000\nDTEND:20240101T235900\nRRULE:MP1 1+ 2- MO TU #3\nEXDATE:20240108T100000\n" +
			"AALARM:20240101T0900;PT5M;2;\nDALARM:20240101T0900;;;x\nEND:VEVENT\nEND:VCALENDAR\n",
		"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:a\nBEGIN:DAYLIGHT\nDTSTART:19700329T020000\n" +
			"RRULE:FREQ=YEARLY;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14;BYMONTH=3\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\n" +
			"END:DAYLIGHT\nEND:VTIMEZONE\nBEGIN:VTODO\nDTSTART;TZID=a:20240310T023000\nDUE;VALUE=DATE:20240311\n" +
			"RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20241231\nBEGIN:VALARM\nACTION:EMAIL\nTRIGGER;RELATED=END:-P1D\n" +
			"ATTENDEE:mailto:a@b\nEND:VALARM\nEND:VTODO\nEND:VCALENDAR\n",
		"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VJOURNAL\nSUMMARY:s\nDESCRIPTION:a\\nb\nEND:VJOURNAL\nEND:VCALENDAR\n",
		"BEGIN:VNOTE\nVERSION:1.1\nBODY;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab=\nc\nEND:VNOTE\n",
		"\xFF\xFEB\x00E\x00G\x00I\x00N\x00:\x00V\x00N\x00O\x00T\x00E\x00",
	} {
		f.Add(uint8(0), uint8(1), []byte(s))
		f.Add(uint8(1), uint8(0), []byte(s))
		f.Add(uint8(2), uint8(3), []byte(s))
		f.Add(uint8(3), uint8(2), []byte(s))
		f.Add(uint8(4), uint8(5), []byte(s))
	}
	for _, rel := range []string{
		ezText + "John_Doe_ANDROID.vcf", kdepimCard + "kdepim-umlaute-2.1.vcf", vcalDir + "KOrganizer_vCalTestCase01.vcs",
		evoTests + "eds_event.ics", evoTests + "eds_task.ics", osData + "vnotes/vnote3.vnt",
	} {
		if data, err := readFixtureNoSkip(rel); err == nil {
			for i := range uint8(6) {
				f.Add(i, i^1, data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, from, to uint8, data []byte) {
		checkConvert(t, data, convertTypes[int(from)%len(convertTypes)], convertTypes[int(to)%len(convertTypes)])
	})
}
