package loadgen

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scenario is the case Open opens: two parties, both answered by the
// generator, who never accept but counter with their favourites, so that a case goes on for as long as the
// run lasts.
//
//go:embed scenario.yaml
var Scenario []byte

// Parties are the parties of Scenario.
var Parties = []string{"alice", "bob"}

// favourite is what each party of Scenario counters every text with: its
// best outcome, which the other party likes least.
var favourite = map[string]map[string]string{
	"alice": {"price": "low", "count": "3"},
	"bob":   {"price": "high", "count": "1"},
}

// Ack is an answer the server acknowledged: it is in the case's log at Seq.
type Ack struct {
	Case  string
	Party string
	Seq   int64
}

// Config configures Run.
type Config struct {
	// URL is the server's base URL; Token a mediator token.
	URL, Token string
	// Cases is how many cases run at once.
	Cases int
	// OnAck, if set, is called for every acknowledged answer, from many
	// goroutines at once.
	OnAck func(Ack)
	// Timeout limits each request but the event streams; 0 means none.
	Timeout time.Duration
	// Rate, if positive, paces the answers of all cases together to this
	// many a second, so that latency is measured at a given load rather
	// than at the most the server can take, where it is only how long the
	// queue is. A server that cannot keep up shows it as a lower rate.
	Rate float64
}

// Result is what a run measured.
type Result struct {
	Acked     int             // answers acknowledged (2xx)
	Refused   int             // answers refused with a status (409 for a stale question, 429, …)
	Failed    int             // requests that got no response at all
	Refusal   string          // the first refusal's status and body, to tell why
	Elapsed   time.Duration   // from the first answer to the end of the run
	Latencies []time.Duration // of the acknowledged answers, sorted
}

// Quantile is the q-quantile of the acknowledged answers' latencies.
func (r *Result) Quantile(q float64) time.Duration { return Quantile(r.Latencies, q) }

// Rate is acknowledged answers per second.
func (r *Result) Rate() float64 { return float64(r.Acked) / r.Elapsed.Seconds() }

// Case is an open case of Scenario and its parties' tokens.
type Case struct {
	ID     string
	Tokens map[string]string
}

// Open creates, invites and starts cfg.Cases cases of Scenario.
func Open(ctx context.Context, cfg Config) ([]Case, error) {
	cl := newClient(cfg)
	cases := make([]Case, cfg.Cases)
	for i := range cases {
		var created struct{ ID string }
		q := "/v1/cases?humans=" + Parties[0] + "," + Parties[1]
		if err := cl.must(ctx, cfg.Token, "POST", q, Scenario, &created); err != nil {
			return nil, err
		}
		c := Case{ID: created.ID, Tokens: map[string]string{}}
		for _, p := range Parties {
			var inv struct{ Token string }
			if err := cl.must(ctx, cfg.Token, "POST", "/v1/cases/"+c.ID+"/invites", map[string]string{"name": p, "role": "party"}, &inv); err != nil {
				return nil, err
			}
			c.Tokens[p] = inv.Token
		}
		if err := cl.must(ctx, cfg.Token, "POST", "/v1/cases/"+c.ID+"/start", nil, nil); err != nil {
			return nil, err
		}
		cases[i] = c
	}
	return cases, nil
}

// Drive answers every question of the cases' parties until ctx ends.
// Requests that fail are retried, so a server that goes away and comes back
// on the same address is driven on.
func Drive(ctx context.Context, cfg Config, cases []Case) *Result {
	var mu sync.Mutex
	res := &Result{}
	start := time.Now()
	var slots chan struct{}
	if cfg.Rate > 0 {
		slots = make(chan struct{}, 16)
		go pace(ctx, cfg.Rate, slots)
	}
	// Each party waits for its next question in a request that the server
	// answers as soon as the question is put, within the client's timeout.
	wait := 5 * time.Second
	if cfg.Timeout > 0 {
		wait = min(wait, cfg.Timeout/2)
	}
	var wg sync.WaitGroup
	for _, c := range cases {
		for _, p := range Parties {
			k, err := newConn(ctx, cfg, c.Tokens[p])
			if err != nil {
				res.Failed++
				res.Refusal = err.Error()
				continue
			}
			wg.Go(func() {
				defer k.close()
				path := "/v1/cases/" + c.ID
				counter, _ := json.Marshal(favourite[p])
				var answer []byte
				for ctx.Err() == nil {
					var out struct {
						Question *struct {
							ID   uint64
							Kind string
						}
						State string
					}
					code, data, err := k.do("GET", path+"/question?wait="+wait.String(), nil)
					if err == nil && code == http.StatusOK {
						err = json.Unmarshal(data, &out)
					}
					if err != nil || code != http.StatusOK {
						// The server may be restarting: try again shortly.
						select {
						case <-ctx.Done():
						case <-time.After(50 * time.Millisecond):
						}
						continue
					}
					if out.Question == nil {
						if out.State != "open" && out.State != "negotiating" {
							return // no question can come any more
						}
						continue // the wait ran out
					}
					answer = fmt.Appendf(answer[:0], `{"question":%d,"kind":"counter","outcome":%s}`, out.Question.ID, counter)
					if out.Question.Kind == "ask-confide" {
						answer = fmt.Appendf(answer[:0], `{"question":%d,"kind":"confide","level":"full"}`, out.Question.ID)
					}
					if slots != nil {
						select {
						case <-slots:
						case <-ctx.Done():
							continue
						}
					}
					t0 := time.Now()
					code, data, err = k.do("POST", path+"/answers", answer)
					d := time.Since(t0)
					if ctx.Err() != nil {
						break // cut short by the end of the run, not by the server
					}
					var ack struct{ Seq int64 }
					if err == nil && code/100 == 2 {
						err = json.Unmarshal(data, &ack)
					}
					mu.Lock()
					switch {
					case err != nil:
						res.Failed++
					case code/100 == 2:
						res.Acked++
						res.Latencies = append(res.Latencies, d)
					default:
						res.Refused++
						if res.Refusal == "" {
							res.Refusal = fmt.Sprintf("%d %s", code, data)
						}
					}
					mu.Unlock()
					if err == nil && code/100 == 2 && cfg.OnAck != nil {
						cfg.OnAck(Ack{Case: c.ID, Party: p, Seq: ack.Seq})
					}
				}
			})
		}
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	slices.Sort(res.Latencies)
	return res
}

// pace puts rate slots a second on slots until ctx ends. A slot no party
// is ready to take is dropped rather than saved, so that a server that
// fell behind is not then sent a burst.
func pace(ctx context.Context, rate float64, slots chan<- struct{}) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	start, sent := time.Now(), 0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			for due := int(now.Sub(start).Seconds() * rate); sent < due; sent++ {
				select {
				case slots <- struct{}{}:
				default:
				}
			}
		}
	}
}

type client struct {
	cfg          Config
	http, stream *http.Client
}

// newClient makes the clients that open cases, read metrics and hold
// event streams; the parties answer on conns of their own. The default
// transport keeps two idle connections to a host, so opening hundreds of
// cases would open a new connection for most requests.
func newClient(cfg Config) client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 1 << 16
	return client{cfg: cfg, http: &http.Client{Transport: tr, Timeout: cfg.Timeout}, stream: &http.Client{Transport: tr}}
}

// call makes a request and decodes a 2xx JSON answer into out.
func (cl client) call(ctx context.Context, token, method, path string, body, out any) (int, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, cl.cfg.URL+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := cl.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

func (cl client) must(ctx context.Context, token, method, path string, body, out any) error {
	code, err := cl.call(ctx, token, method, path, body, out)
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return fmt.Errorf("%s %s: status %d", method, path, code)
	}
	return nil
}

// Appends is what the server's metrics say it has appended to case logs:
// events (answers and everything the server writes itself, such as the
// mediator's texts, each durable before anyone is told of it) and the
// appends, each one durable write, that carried them.
type Appends struct{ Events, Writes int64 }

// Appended reads the server's Appends from its metrics.
func Appended(ctx context.Context, cfg Config) (Appends, error) {
	cl := newClient(cfg)
	req, err := http.NewRequestWithContext(ctx, "GET", cfg.URL+"/metrics", nil)
	if err != nil {
		return Appends{}, err
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return Appends{}, err
	}
	defer resp.Body.Close()
	var a Appends
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		for name, n := range map[string]*int64{"shuttle_events_appended_total ": &a.Events, "shuttle_append_seconds_count ": &a.Writes} {
			if v, ok := strings.CutPrefix(sc.Text(), name); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return Appends{}, fmt.Errorf("metrics: %s: %w", name, err)
				}
				*n = int64(f)
				found++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Appends{}, err
	}
	if found != 2 {
		return Appends{}, errors.New("metrics: no shuttle_events_appended_total or shuttle_append_seconds_count")
	}
	return a, nil
}
