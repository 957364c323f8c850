package admin

import (
	"context"
	"errors"
	"testing"
)

// TestUserNameWithColon: a name basic authentication cannot carry is
// refused with an error in plain words, and no user is created.
func TestUserNameWithColon(t *testing.T) {
	e := newArchEnv(t).eng
	err := e.AddUser(context.Background(), "a:b", "pw", true)
	if !errors.Is(err, ErrColonInName) {
		t.Fatalf("user add a:b: %v, want ErrColonInName", err)
	}
	users, err := e.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Name == "a:b" {
			t.Error("user a:b was created")
		}
	}
}
