package main

import "testing"

// TestSourceAddressesDefault: without --source-addresses, a server on this
// machine is reached from one loopback address per device (the server
// spaces the logins of one client address, so a rerun from 127.0.0.1
// alone would be refused); a remote one from the system's choice; a given
// value stands.
func TestSourceAddressesDefault(t *testing.T) {
	for _, c := range []struct {
		name string
		o    options
		want int
	}{
		{"server started here", options{sourceAddrs: -1, serverBin: "bin/anchorage", devices: 1000}, 1000},
		{"loopback URL", options{sourceAddrs: -1, url: "http://127.0.0.1:8080/sync", devices: 50}, 50},
		{"localhost URL", options{sourceAddrs: -1, url: "http://localhost:8080/sync", devices: 7}, 7},
		{"remote URL", options{sourceAddrs: -1, url: "http://sync.example.org/sync", devices: 50, allowRemote: true}, 0},
		{"given 0", options{sourceAddrs: 0, serverBin: "bin/anchorage", devices: 1000}, 0},
		{"given 3", options{sourceAddrs: 3, serverBin: "bin/anchorage", devices: 1000}, 3},
	} {
		if got := sourceAddresses(&c.o); got != c.want {
			t.Errorf("%s: %d source addresses, want %d", c.name, got, c.want)
		}
	}
}
