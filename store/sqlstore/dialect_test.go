package sqlstore

import "testing"

func TestDollarParams(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`a = ? AND b = ?`, `a = $1 AND b = $2`},
		{`a = ?1 AND b > ?2 AND c = ?`, `a = $1 AND b > $2 AND c = $3`}, // as SQLite numbers them
		{`a = ?2 AND b = ?1 AND c = ?`, `a = $2 AND b = $1 AND c = $3`},
		{`x IN (?, ?, ?)`, `x IN ($1, $2, $3)`},
		{`?12`, `$12`},
	} {
		if got := DollarParams(c.in); got != c.want {
			t.Errorf("DollarParams(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBools(t *testing.T) {
	q := `SELECT 1 WHERE deleted = {false} OR deferred = {true}`
	if got, want := Bools(q, "1", "0"), `SELECT 1 WHERE deleted = 0 OR deferred = 1`; got != want {
		t.Errorf("Bools = %q, want %q", got, want)
	}
	if got, want := Bools(q, "true", "false"), `SELECT 1 WHERE deleted = false OR deferred = true`; got != want {
		t.Errorf("Bools = %q, want %q", got, want)
	}
}

func TestInList(t *testing.T) {
	cond, args := InList("guid", []string{"a", "b", "c"})
	if cond != `guid IN (?, ?, ?)` || len(args) != 3 || args[2] != "c" {
		t.Errorf("InList = %q, %v", cond, args)
	}
}
