package activesync

import (
	"fmt"

	"github.com/beevik/etree"

	"anchorage/protocol/pim"
)

// PIMConverter is the Converter of protocol/pim: Contacts <-> vCard 3.0,
// Calendar <-> iCalendar VEVENT, Tasks <-> VTODO, Notes <-> text.
type PIMConverter struct{}

// lists are the EAS elements whose children are list entries.
var lists = map[string]bool{"Categories": true, "Children": true}

// ToItem reads ApplicationData into fields and converts them.
func (PIMConverter) ToItem(class Class, ad *etree.Element, version string) (Item, error) {
	fields := readFields(ad)
	var data []byte
	var err error
	switch class {
	case ClassContacts:
		data, _ = pim.EASContactToVCard(fields)
	case ClassCalendar:
		data, _, err = pim.EASEventToICal(fields)
	case ClassTasks:
		data, _, err = pim.EASTaskToICal(fields)
	case ClassNotes:
		data, _ = pim.EASNoteToText(fields)
	default:
		err = fmt.Errorf("class %s is not converted", class)
	}
	return Item{Class: class, Data: data}, err
}

// readFields turns the children of e into fields: text, list entries
// (Categories), AirSyncBase Body Data, or nested containers.
func readFields(e *etree.Element) []pim.EASField {
	var fields []pim.EASField
	for _, c := range e.ChildElements() {
		f := pim.EASField{Space: space(c), Name: c.Tag, Value: c.Text()}
		switch {
		case lists[c.Tag]:
			for _, it := range c.ChildElements() {
				f.Items = append(f.Items, it.Text())
			}
		case c.Tag == "Body" && f.Space == "AirSyncBase":
			f.Value = text(c, "Data")
		case len(c.ChildElements()) > 0:
			f.Children = readFields(c)
		}
		fields = append(fields, f)
	}
	return fields
}

// FromItem converts an item and writes its fields into ApplicationData.
func (PIMConverter) FromItem(item Item, ad *etree.Element, version string) error {
	var fields []pim.EASField
	switch item.Class {
	case ClassContacts:
		f, _, err := pim.VCardToEASContact(item.Data)
		if err != nil {
			return err
		}
		fields = f
	case ClassCalendar:
		f, _, err := pim.ICalToEASEvent(item.Data)
		if err != nil {
			return err
		}
		fields = f
	case ClassTasks:
		f, _, err := pim.ICalToEASTask(item.Data)
		if err != nil {
			return err
		}
		fields = f
	case ClassNotes:
		fields = pim.TextToEASNote(item.Data)
	default:
		return fmt.Errorf("class %s is not converted", item.Class)
	}
	writeFields(ad, item.Class, fields, version)
	return nil
}

// writeFields writes fields as children of e.
func writeFields(e *etree.Element, class Class, fields []pim.EASField, version string) {
	for _, f := range fields {
		if f.Space == "AirSyncBase" && f.Name == "Body" {
			writeBody(e, class, f.Value, version)
			continue
		}
		sp := f.Space
		if sp == "" {
			sp = string(class)
		}
		c := addNS(e, f.Name, sp+":", f.Value)
		if lists[f.Name] {
			child := map[string]string{"Categories": "Category", "Children": "Child"}[f.Name]
			for _, it := range f.Items {
				add(c, child, it)
			}
		}
		writeFields(c, class, f.Children, version)
	}
}

// writeBody writes notes as a plain-text AirSyncBase Body (12.0+,
// MS-ASAIRS 2.2.2.9), or for 2.5 as the class's own Body element.
func writeBody(ad *etree.Element, class Class, body, version string) {
	if version == "2.5" {
		addNS(ad, "Body", string(class)+":", body)
		return
	}
	b := addNS(ad, "Body", "AirSyncBase:", "")
	add(b, "Type", "1")
	add(b, "EstimatedDataSize", fmt.Sprint(len(body)))
	add(b, "Data", body)
}

// space is the code page name of an element: its xmlns without the colon.
func space(e *etree.Element) string {
	for p := e; p != nil; p = p.Parent() {
		if ns := p.SelectAttrValue("xmlns", ""); ns != "" {
			return ns[:len(ns)-1]
		}
	}
	return ""
}
