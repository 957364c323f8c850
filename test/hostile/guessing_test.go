package hostile

import (
	"net/http"
	"sync"
	"testing"

	"anchorage/test/testserver"
)

// TestParallelGuessing: 60 wrong passwords sent at once, each on its own
// connection. Only a few are checked; the rest are refused with 503 and
// Retry-After before their credentials are looked at.
func TestParallelGuessing(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})
	const guesses = 60
	codes := make([]int, guesses)
	retry := make([]string, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Go(func() {
			r := post(t, srv.URL, msg{dev: "guesser", session: "1", msgID: "1", cred: basicCred("guess")}.encode(t))
			codes[i], retry[i] = r.code, r.header.Get("Retry-After")
			if r.code == http.StatusOK {
				codes[i] = r.hdrStatus()
			}
		})
	}
	wg.Wait()
	checked, refused := 0, 0
	for i, c := range codes {
		switch c {
		case 401:
			checked++
		case http.StatusServiceUnavailable:
			refused++
			if retry[i] == "" {
				t.Errorf("503 without Retry-After")
			}
		default:
			t.Errorf("guess %d: status %d", i, c)
		}
	}
	if checked > 20 || refused == 0 {
		t.Errorf("%d parallel guesses: %d checked, %d refused; want at most 20 checked", guesses, checked, refused)
	}
}
