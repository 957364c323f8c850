package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Source addresses: the server spaces credential checks per client
// address (engine's login admission), so devices that all connect from
// 127.0.0.1 would be throttled as one household. sourceClients gives each
// device one of n loopback addresses (127.1.0.1, 127.1.0.2, …; Linux
// routes all of 127.0.0.0/8 to lo), as devices on different networks have.
type sourceClients struct {
	n       int
	timeout time.Duration
	idle    int

	mu      sync.Mutex
	clients map[string]*http.Client
	index   map[*Device]int
}

func newSourceClients(n int, timeout time.Duration, idlePerHost int) *sourceClients {
	return &sourceClients{n: n, timeout: timeout, idle: idlePerHost,
		clients: map[string]*http.Client{}, index: map[*Device]int{}}
}

// sourceAddr is the i-th loopback source address.
func sourceAddr(i int) string {
	i %= 254 * 254 * 250
	return fmt.Sprintf("127.%d.%d.%d", 1+i/(254*250), (i/250)%254, 1+i%250)
}

// For returns the client of the device's address.
func (s *sourceClients) For(d *Device) *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[d]
	if !ok {
		i = len(s.index) % s.n
		s.index[d] = i
	}
	addr := sourceAddr(i)
	c := s.clients[addr]
	if c == nil {
		c = &http.Client{Transport: fromAddr(addr, s.idle), Timeout: s.timeout}
		s.clients[addr] = c
	}
	return c
}

// CloseIdle closes every client's idle connections.
func (s *sourceClients) CloseIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clients {
		c.CloseIdleConnections()
	}
}

// fromAddr is a transport whose connections leave from the address ip.
func fromAddr(ip string, idle int) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Transport{DialContext: d.DialContext, MaxIdleConns: idle, MaxIdleConnsPerHost: idle,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true}
}

// byClientAddr is a RoundTripper for the round-robin proxy: it forwards a
// request from the address its client came from (clientAddrKey in the
// request's context), so that a node sees each device's own address, as
// behind a load balancer that keeps the source address (transparent mode).
type byClientAddr struct {
	mu  sync.Mutex
	trs map[string]*http.Transport
}

type clientAddrKey struct{}

func (b *byClientAddr) RoundTrip(r *http.Request) (*http.Response, error) {
	ip, _ := r.Context().Value(clientAddrKey{}).(string)
	if ip == "" || net.ParseIP(ip) == nil || !net.ParseIP(ip).IsLoopback() {
		ip = "127.0.0.1"
	}
	b.mu.Lock()
	if b.trs == nil {
		b.trs = map[string]*http.Transport{}
	}
	tr := b.trs[ip]
	if tr == nil {
		tr = fromAddr(ip, 64)
		b.trs[ip] = tr
	}
	b.mu.Unlock()
	return tr.RoundTrip(r)
}

// withClientAddr records the client's address of an incoming request.
func withClientAddr(ctx context.Context, remote string) context.Context {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, clientAddrKey{}, host)
}
