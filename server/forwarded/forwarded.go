// Package forwarded takes a client's address and scheme from the headers
// of reverse proxies the operator trusts (X-Forwarded-For,
// X-Forwarded-Proto), so that login throttling, logs, the web page's
// origin checks and SyncML's RespURI see the client, not the proxy.
// Headers from any other peer are ignored: a client cannot choose the
// address its failed logins are counted against.
package forwarded

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is the set of peers whose forwarding headers are believed.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of addresses and CIDR
// prefixes, e.g. "10.0.0.0/8, 127.0.0.1".
func ParseProxies(s string) (Proxies, error) {
	var ps Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or CIDR prefix", f)
			}
			ps = append(ps, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an address or CIDR prefix", f)
		}
		ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return ps, nil
}

func (ps Proxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Handler rewrites a request from a trusted proxy before next sees it:
// RemoteAddr becomes the client's address (the right-most address of
// X-Forwarded-For that is not itself a trusted proxy; entries left of it
// were written by the client and prove nothing), and URL.Scheme the
// scheme of X-Forwarded-Proto. With no proxies it returns next unchanged.
func (ps Proxies) Handler(next http.Handler) http.Handler {
	if len(ps) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, ok := addrOf(r.RemoteAddr)
		if !ok || !ps.trusts(peer) {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		if client, ok := ps.client(r.Header.Values("X-Forwarded-For")); ok {
			r2.RemoteAddr = netip.AddrPortFrom(client, 0).String()
		}
		switch strings.ToLower(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto"))) {
		case "https":
			r2.URL.Scheme = "https"
		case "http":
			r2.URL.Scheme = "http"
		}
		next.ServeHTTP(w, r2)
	})
}

// client walks X-Forwarded-For from the right, past the trusted proxies.
func (ps Proxies) client(headers []string) (netip.Addr, bool) {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false // a hop we cannot read: keep the proxy's address
		}
		if !ps.trusts(a) {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

func addrOf(remote string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	return a, err == nil
}

// Scheme is the scheme the client used: https on a TLS connection or when
// a trusted proxy said so, else http.
func Scheme(r *http.Request) string {
	if r.TLS != nil || r.URL.Scheme == "https" {
		return "https"
	}
	return "http"
}
