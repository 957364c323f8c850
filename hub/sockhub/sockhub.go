// Package sockhub carries change notifications from the admin commands
// (import, restore, prune, ...) to the server running on the same SQLite
// data directory. They are processes of their own, so the server's
// in-process hub never hears of their writes; here the server receives
// datagrams on a Unix socket in the data directory, and an admin command
// sends one per datastore it wrote, after its commit.
//
// Delivery is best effort, as the hub's contract allows: without a
// running server nobody waits, and a notification lost in between costs a
// parked device at most one heartbeat, because a Ping looks for changes
// before it parks.
package sockhub

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"anchorage/hub"
)

// Name is the socket's file name in the data directory.
const Name = "anchorage-changes.sock"

// message is a datagram's payload.
type message struct {
	User      string `json:"u"`
	Datastore string `json:"d"`
}

// Server is the server's hub: in-process watchers (hub.Local), also woken
// by the admin commands' datagrams.
type Server struct {
	*hub.Local
	conn *net.UnixConn
	path string
	log  *slog.Logger
	done chan struct{}
}

// Listen binds the socket in dir and starts receiving. A socket file left
// by a server that died is replaced.
func Listen(dir string, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(dir, Name)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("change socket: %w", err)
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("change socket: %w", err)
	}
	s := &Server{Local: hub.NewLocal(), conn: conn, path: path, log: log, done: make(chan struct{})}
	go s.receive()
	return s, nil
}

func (s *Server) receive() {
	defer close(s.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := s.conn.Read(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Warn("change socket: receiving stopped", "err", err)
			}
			return
		}
		var m message
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			s.log.Warn("change socket: datagram not understood", "err", err)
			continue
		}
		s.Notify(m.User, m.Datastore)
	}
}

// Close stops receiving and removes the socket file.
func (s *Server) Close() error {
	err := s.conn.Close()
	<-s.done
	os.Remove(s.path)
	return err
}

// Notifier is an admin command's hub: Notify tells the server on the data
// directory, if one runs. Nothing in the command itself waits, so Watch
// is the in-process hub's and hears only the command's own writes.
type Notifier struct {
	*hub.Local
	path string
}

// NewNotifier returns the notifier of the server on dir.
func NewNotifier(dir string) *Notifier {
	return &Notifier{Local: hub.NewLocal(), path: filepath.Join(dir, Name)}
}

// sendTimeout bounds a datagram send to a server that stopped reading.
const sendTimeout = time.Second

// Notify implements hub.Hub. Errors are dropped: no server, no waiter.
func (n *Notifier) Notify(user, datastore string) {
	n.Local.Notify(user, datastore)
	_ = n.Send(user, datastore)
}

// Send sends one notification to the server and reports why it could not.
func (n *Notifier) Send(user, datastore string) error {
	b, err := json.Marshal(message{User: user, Datastore: datastore})
	if err != nil {
		return err
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(sendTimeout))
	_, err = conn.Write(b)
	return err
}
