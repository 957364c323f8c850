package pim

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// The EAS TimeZone blob (MS-ASDTYPE 2.6.4, MS-ASCAL 2.2.2.39): base64 of
// a Windows TIME_ZONE_INFORMATION, 172 bytes little-endian:
//
//	Bias          int32      minutes, UTC = local + Bias
//	StandardName  [32]uint16 UTF-16, NUL-terminated
//	StandardDate  SYSTEMTIME month, weekday, occurrence (5 = last), time
//	StandardBias  int32      added to Bias in standard time (usually 0)
//	DaylightName  [32]uint16
//	DaylightDate  SYSTEMTIME month 0: no daylight saving time
//	DaylightBias  int32      added to Bias in daylight time (usually -60)
//
// A SYSTEMTIME is wYear, wMonth, wDayOfWeek, wDay, wHour, wMinute,
// wSecond, wMilliseconds (uint16 each); with wYear 0 it is the yearly
// rule "the wDay-th wDayOfWeek of wMonth at wHour:wMinute local time".

const easTZSize = 172

// easTZ is a decoded blob.
type easTZ struct {
	bias, stdBias, dstBias int32
	stdName, dstName       string
	std, dst               systemTime
}

type systemTime struct {
	year, month, weekday, day, hour, minute, second, ms uint16
}

// parseEASTimeZone decodes a TimeZone element's text.
func parseEASTimeZone(b64 string) (*easTZ, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(b) < easTZSize {
		return nil, fmt.Errorf("%w: EAS TimeZone is not %d bytes of base64", ErrMalformed, easTZSize)
	}
	le := binary.LittleEndian
	name := func(off int) string {
		u := make([]uint16, 0, 32)
		for i := 0; i < 32; i++ {
			c := le.Uint16(b[off+2*i:])
			if c == 0 {
				break
			}
			u = append(u, c)
		}
		return string(utf16.Decode(u))
	}
	st := func(off int) systemTime {
		v := make([]uint16, 8)
		for i := range v {
			v[i] = le.Uint16(b[off+2*i:])
		}
		return systemTime{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]}
	}
	return &easTZ{
		bias: int32(le.Uint32(b[0:])), stdName: name(4), std: st(68), stdBias: int32(le.Uint32(b[84:])),
		dstName: name(88), dst: st(152), dstBias: int32(le.Uint32(b[168:])),
	}, nil
}

// String encodes the blob as base64.
func (z *easTZ) String() string {
	b := make([]byte, easTZSize)
	le := binary.LittleEndian
	name := func(off int, s string) {
		u := utf16.Encode([]rune(s))
		for i := 0; i < len(u) && i < 31; i++ {
			le.PutUint16(b[off+2*i:], u[i])
		}
	}
	st := func(off int, t systemTime) {
		for i, v := range []uint16{t.year, t.month, t.weekday, t.day, t.hour, t.minute, t.second, t.ms} {
			le.PutUint16(b[off+2*i:], v)
		}
	}
	le.PutUint32(b[0:], uint32(z.bias))
	name(4, z.stdName)
	st(68, z.std)
	le.PutUint32(b[84:], uint32(z.stdBias))
	name(88, z.dstName)
	st(152, z.dst)
	le.PutUint32(b[168:], uint32(z.dstBias))
	return base64.StdEncoding.EncodeToString(b)
}

// rule is the yearly rule of a transition date, nil for none or for a
// date with a year (a one-time change, which this reading does not keep).
func (t systemTime) rule() *yearRule {
	if t.month < 1 || t.month > 12 || t.year != 0 || t.weekday > 6 || t.day < 1 || t.day > 5 {
		return nil
	}
	r := &yearRule{month: time.Month(t.month), weekday: time.Weekday(t.weekday), week: int(t.day)}
	if t.day == 5 {
		r.week = -1
	}
	return r
}

// zone turns the blob into a VTIMEZONE's observances. The TZID is the
// standard name when the device gave one, else made from the offsets and
// rules, so that the same blob always gives the same TZID.
func (z *easTZ) zone() *zone {
	std := -time.Duration(z.bias+z.stdBias) * time.Minute
	dst := -time.Duration(z.bias+z.dstBias) * time.Minute
	sr, dr := z.std.rule(), z.dst.rule()
	out := &zone{tzid: strings.TrimSpace(z.stdName)}
	if sr == nil || dr == nil {
		out.obs = []observance{{name: z.stdName, from: std, to: std, start: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)}}
		if out.tzid == "" {
			out.tzid = "UTC" + formatOffset(std)
			if std == 0 {
				out.tzid = "UTC"
			}
		}
		return out
	}
	onset := func(r *yearRule, t systemTime) time.Time {
		at, _ := r.on(1970, time.Date(1970, 1, 1, int(t.hour), int(t.minute), 0, 0, time.UTC))
		return at
	}
	out.obs = []observance{
		{name: z.stdName, from: dst, to: std, start: onset(sr, z.std), rule: sr},
		{daylight: true, name: z.dstName, from: std, to: dst, start: onset(dr, z.dst), rule: dr},
	}
	if out.tzid == "" {
		out.tzid = "UTC" + formatOffset(std) + "/" + dr.short() + "/" + sr.short()
	}
	return out
}

// easTZOf describes a zone's rules in year y as a blob; a zone whose
// transitions follow no yearly rule gets its standard offset only.
func easTZOf(z *zone, y int) *easTZ {
	std, stdName := z.standardOffset(y)
	out := &easTZ{bias: -int32(std / time.Minute), stdName: orTZID(stdName, z.tzid), dstName: orTZID("", z.tzid)}
	var toDST, toSTD *transition
	trs := z.transitions(y)
	for i := range trs {
		tr := &trs[i]
		if tr.at.Year() != y {
			continue
		}
		if tr.daylight && toDST == nil {
			toDST = tr
			if tr.name != "" {
				out.dstName = tr.name
			}
		} else if !tr.daylight && toSTD == nil {
			toSTD = tr
		}
	}
	if toDST == nil || toSTD == nil {
		return out
	}
	st := func(tr *transition) systemTime {
		local := tr.at.Add(tr.from)
		r := ruleOf(local)
		day := r.week
		if day < 0 {
			day = 5
		}
		return systemTime{month: uint16(r.month), weekday: uint16(r.weekday), day: uint16(day),
			hour: uint16(local.Hour()), minute: uint16(local.Minute())}
	}
	out.std, out.dst = st(toSTD), st(toDST)
	out.dstBias = -int32((toDST.to - std) / time.Minute)
	return out
}

func orTZID(name, tzid string) string {
	if name != "" {
		return name
	}
	return tzid
}

// EASTimeZoneToVTimezone reads an EAS TimeZone blob and returns the TZID
// it stands for and a VTIMEZONE component that defines it.
func EASTimeZoneToVTimezone(blob string) (tzid string, vtimezone []byte, err error) {
	z, err := parseEASTimeZone(blob)
	if err != nil {
		return "", nil, err
	}
	zone := z.zone()
	var w writer
	writeVTimezone(&w, zone)
	return zone.tzid, []byte(w.String()), nil
}
