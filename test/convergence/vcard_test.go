package convergence

import (
	"fmt"
	"strings"
)

var names = []string{"Jürgen Müller", "Zoë Brontë", "Łukasz Żółć", "李雷", "Παναγιώτης Οικονόμου",
	"Søren Kierkegård", "Ana Núñez", "Bob Smith", "Ólafur Þórsson", "Chloé Dubois"}

// card is a vCard 3.0 whose FN and TEL are unique to (id, rev).
func card(id, rev int) string {
	name := names[id%len(names)]
	return fmt.Sprintf("BEGIN:VCARD\nVERSION:3.0\nN:%s;;;;\nFN:%s #%d r%d\nTEL;TYPE=CELL:+49170%07d\nEMAIL:p%d@example.org\nEND:VCARD\n",
		name, name, id, rev, id*1000+rev, id)
}

// bigCard is a card with a NOTE of about size bytes (non-ASCII, and
// characters XML must escape).
func bigCard(id, rev, size int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		fmt.Fprintf(&sb, "Zeile %d: Größe & <Maß> \"ñ\" 漢字; ", i)
	}
	c := card(id, rev)
	return strings.Replace(c, "END:VCARD", "NOTE:"+sb.String()+"\nEND:VCARD", 1)
}
