package wbxml

import (
	"strings"
	"unicode"

	"github.com/beevik/etree"
)

// pi reads and drops a processing instruction (§5.8.4): an attribute
// start, values, END.
func (d *decoder) pi() error {
	return d.attributes(etree.NewElement("pi"))
}

// attributes reads an attribute list up to its END (§5.8.3) into el.
func (d *decoder) attributes(el *etree.Element) error {
	var (
		name string
		val  []byte
		have bool
	)
	flush := func() error {
		if !have {
			return nil
		}
		have = false
		if err := d.charge(len(name) + len(val) + attrCost); err != nil {
			return err
		}
		if len(el.Attr) >= maxAttrs {
			return d.errorf("more than %d attributes on <%s>", maxAttrs, el.Tag)
		}
		el.CreateAttr(name, string(val))
		return nil
	}
	for {
		b, err := d.next()
		if err != nil {
			return err
		}
		switch {
		case b == tokEnd:
			return flush()
		case b == tokSwitchPage:
			if d.attrPage, err = d.next(); err != nil {
				return err
			}
		case b == tokLiteral:
			if err := flush(); err != nil {
				return err
			}
			idx, err := d.mb()
			if err != nil {
				return err
			}
			s, err := d.tableString(idx)
			if err != nil {
				return err
			}
			if name = d.text(s); !validName(name) {
				return d.errorf("invalid literal attribute name %q", name)
			}
			val, have = val[:0], true
		case b == tokStrI, b == tokStrT, b == tokEntity, b == tokOpaque:
			if !have {
				return d.errorf("attribute value without attribute name")
			}
			if b == tokOpaque {
				data, err := d.opaque()
				if err != nil {
					return err
				}
				val = append(val, data...)
				continue
			}
			s, err := d.stringValue(b)
			if err != nil {
				return err
			}
			val = append(val, s...)
		case isExt(b):
			return d.errorf("extension token 0x%02X is not supported", b)
		case b < 0x80 && b != tokPI && b != tokLiteralC: // ATTRSTART
			if err := flush(); err != nil {
				return err
			}
			start, ok := d.lang.page(d.attrPage).attrStart(b)
			if !ok {
				start = AttrStart{Name: genericAttr(d.attrPage, b)}
			}
			name, val, have = start.Name, append(val[:0], start.Prefix...), true
		case b >= 0x80 && b != tokLiteralA && b != tokLiteralAC: // ATTRVALUE
			if !have {
				return d.errorf("attribute value without attribute name")
			}
			p := d.lang.page(d.attrPage)
			if p == nil || p.AttrValues[b] == "" {
				return d.errorf("unknown attribute value token 0x%02X on page %d", b, d.attrPage)
			}
			val = append(val, p.AttrValues[b]...)
		default:
			return d.errorf("unexpected token 0x%02X in attribute list", b)
		}
	}
}

// validName reports whether s can be an XML element or attribute name.
func validName(s string) bool {
	if s == "" || s[0] == ':' || s[len(s)-1] == ':' || strings.Count(s, ":") > 1 {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == ':' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || r == '.' || unicode.IsDigit(r)):
		default:
			return false
		}
	}
	return true
}
