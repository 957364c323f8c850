package hub

import (
	"runtime"
	"sync"
	"testing"
)

// woken reports whether ch holds a notification, without waiting.
func woken(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestNotifyWakesOnlyWatchers(t *testing.T) {
	alice := func(ds string) Key { return Key{"alice", ds} }
	tests := []struct {
		name   string
		watch  []Key
		notify Key
		want   bool
	}{
		{"same datastore", []Key{alice("contacts")}, alice("contacts"), true},
		{"one of several", []Key{alice("contacts"), alice("calendar")}, alice("calendar"), true},
		{"other datastore", []Key{alice("contacts")}, alice("notes"), false},
		{"other user", []Key{alice("contacts")}, Key{"bob", "contacts"}, false},
		{"nothing watched", nil, alice("contacts"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewLocal()
			ch, cancel := h.Watch(tc.watch...)
			defer cancel()
			h.Notify(tc.notify.User, tc.notify.Datastore)
			if got := woken(ch); got != tc.want {
				t.Errorf("woken = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNotifyCoalesces(t *testing.T) {
	h := NewLocal()
	ch, cancel := h.Watch(Key{"alice", "contacts"}, Key{"alice", "tasks"})
	defer cancel()
	for range 5 {
		h.Notify("alice", "contacts")
		h.Notify("alice", "tasks")
	}
	if !woken(ch) {
		t.Fatal("no notification after five writes")
	}
	if woken(ch) {
		t.Error("a second notification was buffered; notifications must coalesce")
	}
}

func TestCancelUnsubscribes(t *testing.T) {
	h := NewLocal()
	k := Key{"alice", "contacts"}
	ch1, cancel1 := h.Watch(k)
	ch2, cancel2 := h.Watch(k)
	defer cancel2()
	if n := h.Watching("alice", "contacts"); n != 2 {
		t.Fatalf("Watching = %d, want 2", n)
	}
	cancel1()
	cancel1() // a second cancel is harmless
	h.Notify("alice", "contacts")
	if woken(ch1) {
		t.Error("a cancelled watcher was woken")
	}
	if !woken(ch2) {
		t.Error("the remaining watcher was not woken")
	}
	cancel2()
	if n := h.Watching("alice", "contacts"); n != 0 {
		t.Errorf("Watching = %d after every cancel, want 0", n)
	}
}

// TestConcurrent runs watchers, notifiers and cancels together; with -race
// it checks the locking, and every watcher that outlives the writers sees
// the write made after it subscribed.
func TestConcurrent(t *testing.T) {
	h := NewLocal()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ds := []string{"contacts", "calendar"}[i%2]
			ch, cancel := h.Watch(Key{"alice", ds})
			defer cancel()
			h.Notify("alice", ds)
			<-ch // our own write at least
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.Notify("alice", "contacts")
			h.Notify("bob", "notes")
		}()
	}
	wg.Wait()
	if n := h.Watching("alice", "contacts") + h.Watching("alice", "calendar"); n != 0 {
		t.Errorf("%d subscriptions left after every watcher cancelled", n)
	}
}

// BenchmarkParked reports the heap a parked watcher costs (bytes/watcher)
// and the time from Notify to the watcher's wake-up.
func BenchmarkParked(b *testing.B) {
	const parked = 2000
	h := NewLocal()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	chans := make([]<-chan struct{}, parked)
	for i := range parked {
		ch, cancel := h.Watch(Key{"user" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)), "contacts"}, Key{"x", "calendar"})
		defer cancel()
		chans[i] = ch
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	ch, cancel := h.Watch(Key{"alice", "contacts"})
	defer cancel()
	b.ResetTimer()
	for range b.N {
		go h.Notify("alice", "contacts")
		<-ch
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/parked, "bytes/watcher")
}
