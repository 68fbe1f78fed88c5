package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// A conn is one party's keep-alive connection to the server, on which it
// makes one request at a time. It writes requests itself and reads
// responses with http.ReadResponse: net/http's Transport, with two
// goroutines, channels and a context per request, cost the generator about
// as much CPU as the server spent answering, and the generator shares the
// server's cores.
type conn struct {
	ctx     context.Context
	addr    string // host:port
	auth    string // the Authorization header's value
	timeout time.Duration
	c       net.Conn
	stop    func() bool // unregisters closing c when ctx ends
	br      *bufio.Reader
	buf     []byte
}

func newConn(ctx context.Context, cfg Config, token string) (*conn, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%s: the load generator speaks plain HTTP only", cfg.URL)
	}
	return &conn{ctx: ctx, addr: u.Host, auth: "Bearer " + token, timeout: cfg.Timeout}, nil
}

// do sends method target with body and returns the response's status and
// body. Any error closes the connection; the next request dials again.
func (k *conn) do(method, target string, body []byte) (int, []byte, error) {
	status, data, err := k.exchange(method, target, body)
	if err != nil {
		k.close()
	}
	return status, data, err
}

func (k *conn) exchange(method, target string, body []byte) (int, []byte, error) {
	if k.c == nil {
		var d net.Dialer
		c, err := d.DialContext(k.ctx, "tcp", k.addr)
		if err != nil {
			return 0, nil, err
		}
		k.c, k.br = c, bufio.NewReader(c)
		// A request waiting on the server ends with the run.
		k.stop = context.AfterFunc(k.ctx, func() { c.Close() })
	}
	if k.timeout > 0 {
		k.c.SetDeadline(time.Now().Add(k.timeout))
	}
	k.buf = fmt.Appendf(k.buf[:0], "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Length: %d\r\n", method, target, k.addr, k.auth, len(body))
	if len(body) > 0 {
		k.buf = append(k.buf, "Content-Type: application/json\r\n"...)
	}
	k.buf = append(append(k.buf, "\r\n"...), body...)
	if _, err := k.c.Write(k.buf); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(k.br, nil)
	if err != nil {
		return 0, nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, nil, err
	}
	if resp.Close {
		k.close()
	}
	return resp.StatusCode, data, nil
}

func (k *conn) close() {
	if k.c != nil {
		k.stop()
		k.c.Close()
		k.c = nil
	}
}
