package activesync

import (
	"fmt"

	"github.com/beevik/etree"

	"anchorage/protocol/pim"
)

// PIMConverter is the Converter of protocol/pim: Contacts <-> vCard 3.0,
// Notes <-> text. Calendar and Tasks (MS-ASCAL, MS-ASTASK) are not
// converted yet and are refused (status 6 for a device's item).
type PIMConverter struct{}

// lists are the EAS elements whose children are list entries.
var lists = map[string]bool{"Categories": true, "Children": true}

// ToItem reads ApplicationData into fields and converts them.
func (PIMConverter) ToItem(class Class, ad *etree.Element, version string) (Item, error) {
	var fields []pim.EASField
	for _, e := range ad.ChildElements() {
		f := pim.EASField{Space: space(e), Name: e.Tag, Value: e.Text()}
		switch {
		case lists[e.Tag]:
			for _, c := range e.ChildElements() {
				f.Items = append(f.Items, c.Text())
			}
		case e.Tag == "Body" && f.Space == "AirSyncBase":
			f.Value = text(e, "Data")
		}
		fields = append(fields, f)
	}
	switch class {
	case ClassContacts:
		card, _ := pim.EASContactToVCard(fields)
		return Item{Class: class, Data: card}, nil
	case ClassNotes:
		note, _ := pim.EASNoteToText(fields)
		return Item{Class: class, Data: note}, nil
	}
	return Item{}, fmt.Errorf("class %s is not converted yet", class)
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
	case ClassNotes:
		fields = pim.TextToEASNote(item.Data)
	default:
		return fmt.Errorf("class %s is not converted yet", item.Class)
	}
	for _, f := range fields {
		if f.Space == "AirSyncBase" && f.Name == "Body" {
			writeBody(ad, item.Class, f.Value, version)
			continue
		}
		e := addNS(ad, f.Name, f.Space+":", f.Value)
		if lists[f.Name] {
			child := map[string]string{"Categories": "Category", "Children": "Child"}[f.Name]
			for _, it := range f.Items {
				add(e, child, it)
			}
		}
	}
	return nil
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
