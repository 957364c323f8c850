package sqlite

/*
typedef struct sqlite3 sqlite3;

// sqlite3_db_config is defined in the SQLite amalgamation that
// github.com/mattn/go-sqlite3 compiles into the binary.
extern int sqlite3_db_config(sqlite3 *db, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG (https://sqlite.org/c3ref/c_dbconfig_defensive.html).
#define ANCHORAGE_DBCONFIG_ENABLE_QPSG 1007

// anchorage_qpsg sets the query planner stability guarantee (set 1 or 0;
// -1 leaves it) and returns 1 when the connection reports it on.
static int anchorage_qpsg(void *db, int set) {
	int on = 0;
	if (sqlite3_db_config((sqlite3 *)db, ANCHORAGE_DBCONFIG_ENABLE_QPSG, set, &on) != 0) {
		return 0;
	}
	return on;
}
*/
import "C"

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// connector opens the store's connections with the query planner stability
// guarantee (QPSG) on.
//
// Without it SQLite re-plans a cached statement whenever a parameter it
// peeked at while planning is bound anew: every LIMIT ?, and every
// "column = ?" bound to 0 or 1 (user 1's user_id = ? in nearly every
// query). The statement cache then saves nothing for those statements:
// each execution parsed and planned the SQL again, two thirds of the cost
// of a small query (sqlite.org/queryplanner-ng.html#qpstab; sqlite3.c,
// computeLimitRegisters and whereLoopAddBtreeIndex call
// sqlite3ExprIsInteger, which marks the parameter). Our queries are written
// for their indexes, not for particular values, so one plan per statement
// is what we want.
//
// The driver has no setting for it, so the hook calls sqlite3_db_config on
// the connection's handle, read from the driver's connection by reflection.
type connector struct {
	dsn string
	drv *sqlite3.SQLiteDriver
}

func newConnector(dsn string) *connector {
	return &connector{dsn: dsn, drv: &sqlite3.SQLiteDriver{ConnectHook: enableQPSG}}
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	return c.drv.Open(c.dsn)
}

func (c *connector) Driver() driver.Driver { return c.drv }

// errNoHandle is returned when the driver's connection no longer has the
// field the handle is read from (a new driver version): the store refuses
// to open rather than run with plans re-made on every query.
var errNoHandle = errors.New("sqlite: the driver's connection has no sqlite3 handle field named db (driver version changed?)")

func enableQPSG(conn *sqlite3.SQLiteConn) error {
	on, err := qpsg(conn, 1)
	if err != nil {
		return err
	}
	if !on {
		return errors.New("sqlite: the connection refused the query planner stability guarantee")
	}
	return nil
}

// qpsg sets the guarantee on conn (set 1 or 0; -1 only reads it) and
// reports whether it is on.
func qpsg(conn *sqlite3.SQLiteConn, set int) (bool, error) {
	f := reflect.ValueOf(conn).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return false, errNoHandle
	}
	return C.anchorage_qpsg(unsafe.Pointer(f.Pointer()), C.int(set)) == 1, nil
}
