package cli

import "net"

// loopbackSendBuffer is the send buffer of a connection whose client is on this host: a
// reverse proxy beside inkan, a job or a tool on the same machine.
//
// Linux hands a loopback segment to the receiving socket through the backlog of the CPU that
// sent it, and one connection's segments are sent from whichever CPU runs the server's write
// or the softirq that took the client's last ACK, so two CPUs' backlogs deliver one
// connection's segments out of order (steering all of lo's packets to one CPU with RPS makes
// the reordering disappear). The client SACKs and the server retransmits what was only late,
// and the more the server has queued, the more of it arrives out of order. Measured with 64 MiB
// GETs from aws-sdk-go-v2 on four streams, 8 GiB in all: with the send buffer left to the
// kernel's autotuning (up to 4 MiB here), 507 segments were queued out of order, 275
// reorderings seen and 202 segments retransmitted for nothing, at 4,030 MB/s; capped at 256 KiB
// (the kernel doubles it), 8, 2 and 64, at 7,818–8,139 MB/s, the server and the client each
// spending about half as much CPU per byte (docs/performance.md, "The loopback send buffer").
// 128 KiB was slower again (0.87× of 256 KiB); 512 KiB and 1 MiB were nearly as slow as the
// default (0.45–0.66× of 256 KiB, the default 0.55×).
//
// A loopback path has no bandwidth-delay product to fill (its round trip takes microseconds),
// so the cap costs it nothing. Every other connection keeps the kernel's autotuning, which a
// long path needs to reach its speed.
const loopbackSendBuffer = 256 << 10

// loopbackListener caps the send buffer of every accepted connection from a loopback address.
type loopbackListener struct{ net.Listener }

func (l loopbackListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok && isLoopback(tc.RemoteAddr()) {
		// Best effort: where the cap cannot be set, the kernel's autotuning stays.
		_ = tc.SetWriteBuffer(loopbackSendBuffer)
	}
	return c, nil
}

// isLoopback reports whether a is a TCP address on the loopback network (127.0.0.0/8, ::1,
// or 127.0.0.0/8 mapped into IPv6).
func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
