package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"anchorage/store"
)

// TestBackupVerify: a backup holds what was committed, passes Verify,
// and Backup overwrites nothing; Verify refuses a damaged file.
func TestBackupVerify(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openTest(t, filepath.Join(dir, "a.db"))
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := range 3 {
			if err := tx.CreateUser(ctx, &store.User{Name: fmt.Sprint("u", i), PasswordHash: []byte("h")}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(dir, "copy.db")
	if err := s.Backup(ctx, to); err != nil {
		t.Fatal(err)
	}
	c, err := Verify(ctx, to)
	if err != nil || c.Users != 3 || c.Migrations == 0 {
		t.Fatalf("Verify: %+v, %v", c, err)
	}
	if err := s.Backup(ctx, to); err == nil {
		t.Errorf("Backup over an existing file succeeded")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".copy.db.*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Damage the copy past its header: the integrity check must fail.
	b, err := os.ReadFile(to)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4096; i < len(b); i += 7 {
		b[i] ^= 0x5a
	}
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := Verify(ctx, bad); err == nil {
		t.Errorf("Verify of a damaged file: %+v, no error", c)
	}
	if _, err := Verify(ctx, filepath.Join(dir, "none.db")); err == nil {
		t.Errorf("Verify of a missing file: no error")
	}
}
