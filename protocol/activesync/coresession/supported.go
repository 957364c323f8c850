package coresession

import (
	"slices"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
)

// The Supported element (MS-ASCMD 2.2.3.164) lists the properties of a
// class the device holds: one it leaves out of a Change is deleted, one
// it does not list is kept on the server (not read as deleted). The core
// does the keeping (its field preservation) from the device's properties
// per content type (engine.Datastore.CTCaps); ctCaps learns those by
// converting each EAS property alone, with a sample value, through the
// class's converter.

// supportClass is what ctCaps needs of one class: its stored content type,
// its converter, the fields every item has, and sample values for the
// properties a plain value does not make.
type supportClass struct {
	ct      string
	convert func([]pim.EASField) ([]byte, []string, error)
	base    []pim.EASField
	samples map[string][]pim.EASField
}

var supportClasses = map[string]supportClass{
	engine.Contacts: {ct: "text/vcard", convert: func(f []pim.EASField) ([]byte, []string, error) {
		card, lost := pim.EASContactToVCard(f)
		return card, lost, nil
	}},
	engine.Calendar: {ct: "text/calendar", convert: pim.EASEventToICal,
		base: []pim.EASField{{Name: "StartTime", Value: "20260105T100000Z"}, {Name: "EndTime", Value: "20260105T110000Z"}, {Name: "UID", Value: "u"}},
		samples: map[string][]pim.EASField{
			"Attendees":  {{Name: "Attendee", Children: []pim.EASField{{Name: "Email", Value: "a@example.org"}, {Name: "Name", Value: "A"}}}},
			"Recurrence": {{Name: "Type", Value: "0"}, {Name: "Interval", Value: "1"}},
		}},
	engine.Tasks: {ct: "text/calendar", convert: pim.EASTaskToICal,
		base: []pim.EASField{{Name: "Subject", Value: "s"}},
		samples: map[string][]pim.EASField{
			"Recurrence": {{Name: "Type", Value: "0"}, {Name: "Interval", Value: "1"}, {Name: "Start", Value: "20260105T000000Z"}},
		}},
}

// sampleValues are the plain values tried for a property: text, a number
// or flag, a time.
var sampleValues = []string{"x", "1", "20260106T100000Z"}

// ctCaps turns the EAS properties a device declared it holds (Supported)
// into the core's properties per content type; nil (no Supported) leaves
// the core to what the device sent before.
func ctCaps(datastore string, supported []string) map[string]map[string]int {
	c, ok := supportClasses[datastore]
	if supported == nil || !ok {
		return nil
	}
	props := map[string]int{}
	add := func(fields []pim.EASField) {
		data, _, err := c.convert(fields)
		if err != nil {
			return
		}
		for _, n := range pim.PropertyNames(c.ct, data) {
			props[n] = 0
		}
	}
	add(c.base)
	for _, name := range supported {
		f := pim.EASField{Name: name, Children: c.samples[name]}
		for _, v := range sampleValues {
			f.Value, f.Items = v, []string{v}
			add(append(slices.Clone(c.base), f))
		}
	}
	return map[string]map[string]int{c.ct: props}
}

// deviceForm is the engine's Datastore.DeviceForm of a contacts folder: a
// vCard as an EAS device holds it and sends it back (its Contacts class's
// fields, converted to vCard again). Other classes: nil.
func deviceForm(datastore string) func(ct string, data []byte) (string, []byte, bool) {
	if datastore != engine.Contacts {
		return nil
	}
	return func(ct string, data []byte) (string, []byte, bool) {
		fields, _, err := pim.VCardToEASContact(data)
		if err != nil {
			return "", nil, false
		}
		card, _ := pim.EASContactToVCard(fields)
		return supportClasses[engine.Contacts].ct, card, true
	}
}
