package pim

import (
	"strings"
	"unicode/utf8"
)

// The line splitting and parsing of the vCard and iCalendar reader as it
// was before it split lines without rewriting the text and kept the
// properties of a component in one allocation: the reference the faster
// code must match (TestParserMatchesReference, FuzzParserMatchesReference).

// needsNormalisingRef is needsNormalising before the rewrite.
func needsNormalisingRef(text string, lines []string, root *component) bool {
	if !utf8.ValidString(text) {
		return true
	}
	for _, card := range root.children {
		if card.name != "VCARD" || card.prop("N") == nil || card.prop("FN") == nil {
			return true
		}
		for _, p := range card.props {
			for _, q := range p.params {
				if q.name == "CHARSET" || q.name == "ENCODING" && !p.binary {
					return true
				}
			}
		}
	}
	for _, line := range lines {
		head, _ := cutUnquoted(line, ":")
		for _, seg := range strings.Split(head, ";")[1:] {
			if !strings.Contains(seg, "=") {
				return true // a bare vCard 2.1 parameter: TEL;CELL
			}
		}
	}
	return false
}

// parseLinesRef is parseLines before the rewrite.
func parseLinesRef(lines []string, defaultCharset string) *component {
	root := &component{}
	stack := []*component{root}
	for _, line := range lines {
		p, ok := parseLineCharset(line, defaultCharset)
		if !ok {
			continue
		}
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			if len(stack) > maxDepth {
				continue // garbage: real items nest three or four deep
			}
			c := &component{name: strings.ToUpper(strings.TrimSpace(p.value))}
			top.children = append(top.children, c)
			stack = append(stack, c)
		case "END":
			name := strings.ToUpper(strings.TrimSpace(p.value))
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].name == name {
					stack[i].closed = true
					stack = stack[:i]
					break
				}
			}
		default:
			top.props = append(top.props, p)
		}
	}
	return root
}

// physicalLinesRef is physicalLines before the rewrite.
func physicalLinesRef(text string) []string {
	text = strings.ReplaceAll(text, "\r\r\n", "\n")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// logicalLinesRef is logicalLines before the rewrite.
func logicalLinesRef(text string) []string {
	phys := physicalLinesRef(text)
	var out []string
	for i := 0; i < len(phys); i++ {
		line := phys[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		qp := isQP(line)
		var buf []byte // line with its continuations, once it has one
		for i+1 < len(phys) {
			if next := phys[i+1]; qp && endsWithEquals(line, buf) && !isEndLine(next) {
				if buf == nil {
					buf = []byte(line)
				}
				buf = append(buf[:len(buf)-1], next...)
				i++
				continue
			}
			// Blank lines before a continuation are noise (double CRs).
			j := i + 1
			for j < len(phys) && phys[j] == "" {
				j++
			}
			if j == len(phys) || phys[j][0] != ' ' && phys[j][0] != '\t' {
				break
			}
			if buf == nil {
				buf = []byte(line)
			}
			buf = append(buf, phys[j][1:]...)
			i = j
		}
		if buf != nil {
			line = string(buf)
		}
		out = append(out, line)
	}
	return out
}

// mediaTypeRef is mediaType before the rewrite.
func mediaTypeRef(ct string) (base, version string) {
	parts := strings.Split(ct, ";")
	base = strings.ToLower(strings.TrimSpace(parts[0]))
	for _, p := range parts[1:] {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "version") {
			version = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return base, version
}

// splitUnescapedRef is splitUnescaped before the rewrite.
func splitUnescapedRef(s, seps string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case strings.IndexByte(seps, s[i]) >= 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
