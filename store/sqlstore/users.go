package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"anchorage/store"
)

const userCols = `id, name, password_hash, md5_secret, created_at, admin, disabled`

// CreateUser inserts u and sets u.ID (and u.Created to now when zero).
func (t *tx) CreateUser(ctx context.Context, u *store.User) error {
	if u.Name == "" {
		return t.errorf("create user: empty name")
	}
	created := u.Created
	if created.IsZero() {
		created = now()
	}
	var id int64
	err := t.queryRow(ctx,
		`INSERT INTO users (name, password_hash, md5_secret, created_at, admin, disabled) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO NOTHING RETURNING id`,
		u.Name, u.PasswordHash, u.MD5Secret, nanos(created), u.Admin, u.Disabled).Scan(&id)
	// A taken name returns no row, and leaves the transaction usable
	// (a failed statement aborts a PostgreSQL transaction).
	if errors.Is(err, sql.ErrNoRows) || err != nil && t.s.d.IsUniqueViolation(err) {
		return t.errorf("create user %q: %w", u.Name, store.ErrExists)
	}
	if err != nil {
		return t.errorf("create user %q: %w", u.Name, err)
	}
	u.ID = id
	u.Created = created
	return nil
}

func (t *tx) UserByName(ctx context.Context, name string) (*store.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE name = ?`, name))
	if err != nil {
		return nil, t.errorf("user %q: %w", name, err)
	}
	return u, nil
}

func (t *tx) UserByID(ctx context.Context, id int64) (*store.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, t.errorf("user %d: %w", id, err)
	}
	return u, nil
}

// ListUsers lists every user ordered by name.
func (t *tx) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := t.query(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, t.errorf("list users: %w", err)
	}
	defer rows.Close()
	var us []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, t.errorf("list users: %w", err)
		}
		us = append(us, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("list users: %w", err)
	}
	return us, nil
}

// UpdateUserFlags stores u.Admin and u.Disabled for user u.ID.
func (t *tx) UpdateUserFlags(ctx context.Context, u *store.User) error {
	res, err := t.exec(ctx, `UPDATE users SET admin = ?, disabled = ? WHERE id = ?`, u.Admin, u.Disabled, u.ID)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return t.errorf("update user %d flags: %w", u.ID, err)
	}
	return nil
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanUser(r scanner) (*store.User, error) {
	var u store.User
	var created int64
	if err := r.Scan(&u.ID, &u.Name, &u.PasswordHash, &u.MD5Secret, &created, &u.Admin, &u.Disabled); err != nil {
		return nil, notFound(err)
	}
	u.Created = fromNanos(created)
	return &u, nil
}

// notFound turns sql.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// oneRow returns store.ErrNotFound when res affected no row.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
