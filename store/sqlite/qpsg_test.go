package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// TestQueryPlannerStability checks that the writer's and every reader's
// connections run with the query planner stability guarantee, without
// which statements with LIMIT ? (or user 1's user_id = ?) are planned anew
// on every execution.
func TestQueryPlannerStability(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	check := func(name string, db *sql.DB) {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = c.Raw(func(dc any) error {
			conn, ok := dc.(*sqlite3.SQLiteConn)
			if !ok {
				return fmt.Errorf("connection is a %T", dc)
			}
			on, err := qpsg(conn, -1)
			if err == nil && !on {
				err = fmt.Errorf("query planner stability guarantee is off")
			}
			return err
		})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	check("writer", s.wdb)
	check("reader", s.rdb)
}
