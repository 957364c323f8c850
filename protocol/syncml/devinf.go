package syncml

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/beevik/etree"
)

// DevInf is a device information document (OMA-TS-DS_DevInf 1.2; SyncML
// DevInf 1.1 and 1.0): who the device is and what each datastore takes.
type DevInf struct {
	VerDTD, Man, Mod, OEM, FwV, SwV, HwV, DevID, DevTyp string
	UTC, SupportLargeObjs, SupportNumberOfChanges       bool
	DataStores                                          []DataStore
}

// DataStore describes one datastore (DevInf, DataStore element).
type DataStore struct {
	SourceRef, DisplayName string
	MaxGUIDSize            int
	RxPref                 CTType
	Rx                     []CTType
	TxPref                 CTType
	Tx                     []CTType
	// SyncTypes are the SyncCap SyncType values: 1 two-way, 2 slow,
	// 3 one-way from client, 4 refresh from client, 5 one-way from server,
	// 6 refresh from server, 7 server alerted.
	SyncTypes []int
	CTCaps    []CTCap
}

// CTType is a content type and its version (Rx, Tx, Rx-Pref, Tx-Pref).
type CTType struct {
	CTType, VerCT string
}

// CTCap lists the properties a device supports for one content type.
type CTCap struct {
	CTType, VerCT string
	Properties    []CTProperty
}

// CTProperty is one property of a CTCap (DevInf 1.2 Property; in DevInf
// 1.1 a PropName and what follows it). MaxOccur and MaxSize are 0 when
// absent; DevInf 1.1 has no MaxOccur and calls MaxSize Size.
type CTProperty struct {
	Name        string
	DataType    string
	MaxOccur    int
	MaxSize     int
	NoTruncate  bool
	ValEnums    []string
	DisplayName string
	Params      []CTParam
}

// CTParam is a property parameter (PropParam; DevInf 1.1 ParamName).
type CTParam struct {
	Name        string
	DataType    string
	ValEnums    []string
	DisplayName string
}

// ParseDevInf reads a <DevInf> element in either layout: DevInf 1.2, with
// a CTCap (CTType, VerCT, Property/PropParam) inside each DataStore, or
// DevInf 1.0/1.1, with CTCaps at DevInf level as a flat sequence of
// CTType, PropName, ValEnum, ParamName... In the latter a CTCap goes to
// every datastore that receives or sends its content type (all datastores
// if none names it), its VerCT taken from there.
func ParseDevInf(el *etree.Element) (*DevInf, error) {
	if el == nil {
		return nil, errors.New("syncml: devinf: nil element")
	}
	if el.Tag != "DevInf" {
		return nil, fmt.Errorf("syncml: devinf: element is <%s>, want <DevInf>", el.Tag)
	}
	d := &DevInf{}
	var shared []CTCap
	for _, c := range el.ChildElements() {
		switch c.Tag {
		case "VerDTD":
			d.VerDTD = text(c)
		case "Man":
			d.Man = text(c)
		case "Mod":
			d.Mod = text(c)
		case "OEM":
			d.OEM = text(c)
		case "FwV":
			d.FwV = text(c)
		case "SwV":
			d.SwV = text(c)
		case "HwV":
			d.HwV = text(c)
		case "DevID":
			d.DevID = text(c)
		case "DevTyp":
			d.DevTyp = text(c)
		case "UTC":
			d.UTC = true
		case "SupportLargeObjs":
			d.SupportLargeObjs = true
		case "SupportNumberOfChanges":
			d.SupportNumberOfChanges = true
		case "DataStore":
			d.DataStores = append(d.DataStores, parseDataStore(c))
		case "CTCap":
			shared = append(shared, parseCTCap(c)...)
		}
	}
	for _, cc := range shared {
		attached := false
		for i := range d.DataStores {
			ds := &d.DataStores[i]
			if t, ok := ds.findType(cc.CTType); ok {
				c := cc
				if c.VerCT == "" {
					c.VerCT = t.VerCT
				}
				ds.CTCaps = append(ds.CTCaps, c)
				attached = true
			}
		}
		if !attached {
			for i := range d.DataStores {
				d.DataStores[i].CTCaps = append(d.DataStores[i].CTCaps, cc)
			}
		}
	}
	return d, nil
}

// findType returns the first of RxPref, Rx, TxPref, Tx with content type ct.
func (ds *DataStore) findType(ct string) (CTType, bool) {
	all := append(append(append([]CTType{ds.RxPref}, ds.Rx...), ds.TxPref), ds.Tx...)
	for _, t := range all {
		if t.CTType == ct {
			return t, true
		}
	}
	return CTType{}, false
}

func parseDataStore(e *etree.Element) DataStore {
	var ds DataStore
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "SourceRef":
			ds.SourceRef = text(c)
		case "DisplayName":
			ds.DisplayName = text(c)
		case "MaxGUIDSize":
			ds.MaxGUIDSize = int(number(c))
		case "Rx-Pref":
			ds.RxPref = parseCTType(c)
		case "Rx":
			ds.Rx = append(ds.Rx, parseCTType(c))
		case "Tx-Pref":
			ds.TxPref = parseCTType(c)
		case "Tx":
			ds.Tx = append(ds.Tx, parseCTType(c))
		case "CTCap":
			ds.CTCaps = append(ds.CTCaps, parseCTCap(c)...)
		case "SyncCap":
			for _, st := range c.ChildElements() {
				if n, err := strconv.Atoi(text(st)); err == nil && st.Tag == "SyncType" {
					ds.SyncTypes = append(ds.SyncTypes, n)
				}
			}
		}
	}
	return ds
}

func parseCTType(e *etree.Element) CTType {
	return CTType{CTType: text(child(e, "CTType")), VerCT: text(child(e, "VerCT"))}
}

// parseCTCap reads a CTCap in the DevInf 1.2 layout (one content type,
// Property elements) or the 1.0/1.1 flat layout (possibly several content
// types, each a CTType followed by PropName, ValEnum, DataType, Size,
// DisplayName and ParamName elements that belong to what precedes them).
func parseCTCap(e *etree.Element) []CTCap {
	if child(e, "Property") != nil {
		cc := CTCap{CTType: text(child(e, "CTType")), VerCT: text(child(e, "VerCT"))}
		for _, p := range e.ChildElements() {
			if p.Tag == "Property" {
				cc.Properties = append(cc.Properties, parseProperty(p))
			}
		}
		return []CTCap{cc}
	}
	var caps []CTCap
	var prop *CTProperty
	var param *CTParam
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "CTType":
			caps = append(caps, CTCap{CTType: text(c)})
			prop, param = nil, nil
		case "VerCT":
			if len(caps) > 0 {
				caps[len(caps)-1].VerCT = text(c)
			}
		case "PropName":
			if len(caps) == 0 {
				caps = append(caps, CTCap{})
			}
			cc := &caps[len(caps)-1]
			cc.Properties = append(cc.Properties, CTProperty{Name: text(c)})
			prop, param = &cc.Properties[len(cc.Properties)-1], nil
		case "ParamName":
			if prop != nil {
				prop.Params = append(prop.Params, CTParam{Name: text(c)})
				param = &prop.Params[len(prop.Params)-1]
			}
		case "ValEnum":
			if param != nil {
				param.ValEnums = append(param.ValEnums, text(c))
			} else if prop != nil {
				prop.ValEnums = append(prop.ValEnums, text(c))
			}
		case "DataType":
			if param != nil {
				param.DataType = text(c)
			} else if prop != nil {
				prop.DataType = text(c)
			}
		case "Size":
			if param == nil && prop != nil {
				prop.MaxSize = int(number(c))
			}
		case "DisplayName":
			if param != nil {
				param.DisplayName = text(c)
			} else if prop != nil {
				prop.DisplayName = text(c)
			}
		}
	}
	return caps
}

func parseProperty(e *etree.Element) CTProperty {
	var p CTProperty
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "PropName":
			p.Name = text(c)
		case "DataType":
			p.DataType = text(c)
		case "MaxOccur":
			p.MaxOccur = int(number(c))
		case "MaxSize", "Size":
			p.MaxSize = int(number(c))
		case "NoTruncate":
			p.NoTruncate = true
		case "ValEnum":
			p.ValEnums = append(p.ValEnums, text(c))
		case "DisplayName":
			p.DisplayName = text(c)
		case "PropParam":
			var pp CTParam
			for _, c := range c.ChildElements() {
				switch c.Tag {
				case "ParamName":
					pp.Name = text(c)
				case "DataType":
					pp.DataType = text(c)
				case "ValEnum":
					pp.ValEnums = append(pp.ValEnums, text(c))
				case "DisplayName":
					pp.DisplayName = text(c)
				}
			}
			p.Params = append(p.Params, pp)
		}
	}
	return p
}

// Element builds the <DevInf> element (with xmlns syncml:devinf) for a
// SyncML VerDTD: the DevInf 1.2 layout for "1.2", the 1.1 layout for "1.1"
// and "1.0" (without the elements DevInf 1.0 lacks). An empty verDTD falls
// back to d.VerDTD, an unknown one to 1.2. The written VerDTD is the
// layout's, whatever d.VerDTD says.
func (d *DevInf) Element(verDTD string) *etree.Element {
	v := verDTD
	if v == "" {
		v = d.VerDTD
	}
	if v != "1.0" && v != "1.1" {
		v = "1.2"
	}
	v12 := v == "1.2"
	e := etree.NewElement("DevInf")
	e.CreateAttr("xmlns", NSDevInf)
	addText(e, "VerDTD", v)
	addOpt(e, "Man", d.Man)
	addOpt(e, "Mod", d.Mod)
	addOpt(e, "OEM", d.OEM)
	for _, f := range [][2]string{{"FwV", d.FwV}, {"SwV", d.SwV}, {"HwV", d.HwV}} {
		if v12 { // mandatory in DevInf 1.2
			addText(e, f[0], f[1])
		} else {
			addOpt(e, f[0], f[1])
		}
	}
	addText(e, "DevID", d.DevID)
	addText(e, "DevTyp", d.DevTyp)
	if v != "1.0" {
		addFlag(e, "UTC", d.UTC)
		addFlag(e, "SupportLargeObjs", d.SupportLargeObjs)
		addFlag(e, "SupportNumberOfChanges", d.SupportNumberOfChanges)
	}
	for i := range d.DataStores {
		addDataStore(e, &d.DataStores[i], v12)
	}
	if !v12 {
		addFlatCTCaps(e, d.DataStores)
	}
	return e
}

// addDataStore writes SourceRef, DisplayName?, MaxGUIDSize?, Rx-Pref, Rx*,
// Tx-Pref, Tx*, CTCap* (1.2 only), SyncCap.
func addDataStore(parent *etree.Element, ds *DataStore, v12 bool) {
	e := parent.CreateElement("DataStore")
	addText(e, "SourceRef", ds.SourceRef)
	addOpt(e, "DisplayName", ds.DisplayName)
	if ds.MaxGUIDSize > 0 {
		addText(e, "MaxGUIDSize", strconv.Itoa(ds.MaxGUIDSize))
	}
	addCTType(e, "Rx-Pref", ds.RxPref)
	for _, t := range ds.Rx {
		addCTType(e, "Rx", t)
	}
	addCTType(e, "Tx-Pref", ds.TxPref)
	for _, t := range ds.Tx {
		addCTType(e, "Tx", t)
	}
	if v12 {
		for _, cc := range ds.CTCaps {
			c := e.CreateElement("CTCap")
			addText(c, "CTType", cc.CTType)
			addText(c, "VerCT", cc.VerCT)
			for _, p := range cc.Properties {
				addProperty(c, &p)
			}
		}
	}
	sc := e.CreateElement("SyncCap")
	for _, n := range ds.SyncTypes {
		addText(sc, "SyncType", strconv.Itoa(n))
	}
}

func addCTType(parent *etree.Element, tag string, t CTType) {
	e := parent.CreateElement(tag)
	addText(e, "CTType", t.CTType)
	addText(e, "VerCT", t.VerCT)
}

// addProperty writes a DevInf 1.2 Property: PropName, DataType?,
// MaxOccur?, MaxSize?, NoTruncate?, ValEnum*, DisplayName?, PropParam*.
func addProperty(parent *etree.Element, p *CTProperty) {
	e := parent.CreateElement("Property")
	addText(e, "PropName", p.Name)
	addOpt(e, "DataType", p.DataType)
	if p.MaxOccur > 0 {
		addText(e, "MaxOccur", strconv.Itoa(p.MaxOccur))
	}
	if p.MaxSize > 0 {
		addText(e, "MaxSize", strconv.Itoa(p.MaxSize))
	}
	addFlag(e, "NoTruncate", p.NoTruncate)
	for _, v := range p.ValEnums {
		addText(e, "ValEnum", v)
	}
	addOpt(e, "DisplayName", p.DisplayName)
	for _, pp := range p.Params {
		pe := e.CreateElement("PropParam")
		addText(pe, "ParamName", pp.Name)
		addOpt(pe, "DataType", pp.DataType)
		for _, v := range pp.ValEnums {
			addText(pe, "ValEnum", v)
		}
		addOpt(pe, "DisplayName", pp.DisplayName)
	}
}

// addFlatCTCaps writes the DevInf 1.1 CTCap: one element at DevInf level
// listing every content type once, as CTType, then per property PropName,
// (ValEnum+ | DataType, Size?)?, DisplayName?, and the same per ParamName.
func addFlatCTCaps(parent *etree.Element, stores []DataStore) {
	var e *etree.Element
	seen := map[string]bool{}
	for _, ds := range stores {
		for _, cc := range ds.CTCaps {
			if seen[cc.CTType] {
				continue
			}
			seen[cc.CTType] = true
			if e == nil {
				e = parent.CreateElement("CTCap")
			}
			addText(e, "CTType", cc.CTType)
			for _, p := range cc.Properties {
				addText(e, "PropName", p.Name)
				addValues(e, p.ValEnums, p.DataType, p.MaxSize)
				addOpt(e, "DisplayName", p.DisplayName)
				for _, pp := range p.Params {
					addText(e, "ParamName", pp.Name)
					addValues(e, pp.ValEnums, pp.DataType, 0)
					addOpt(e, "DisplayName", pp.DisplayName)
				}
			}
		}
	}
}

func addValues(e *etree.Element, enums []string, dataType string, size int) {
	if len(enums) > 0 {
		for _, v := range enums {
			addText(e, "ValEnum", v)
		}
		return
	}
	if dataType != "" {
		addText(e, "DataType", dataType)
		if size > 0 {
			addText(e, "Size", strconv.Itoa(size))
		}
	}
}
