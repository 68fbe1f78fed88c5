package loadgen

import (
	"bufio"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Subscribe holds n event streams open on the cases, round robin, until
// ctx ends, and returns how long each event took from its append (its wall
// time in the log) to its arrival on a stream, sorted. The server must run
// on the same machine, so that the clocks agree. ready is closed once every
// stream is open.
func Subscribe(ctx context.Context, cfg Config, cases []Case, n int, ready chan<- struct{}) []time.Duration {
	cl := newClient(cfg)
	var mu sync.Mutex
	var lat []time.Duration
	var wg, open sync.WaitGroup
	open.Add(n)
	for i := range n {
		c := cases[i%len(cases)]
		wg.Go(func() {
			opened := false
			defer func() {
				if !opened {
					open.Done()
				}
			}()
			req, err := http.NewRequestWithContext(ctx, "GET", cfg.URL+"/v1/cases/"+c.ID+"/stream", nil)
			if err != nil {
				return
			}
			req.Header.Set("Authorization", "Bearer "+cfg.Token)
			resp, err := cl.stream.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			opened = true
			open.Done()
			// The events already in the log when the stream opens arrive
			// at once and say nothing about delivery.
			start := time.Now()
			var mine []time.Duration
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				data, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				if wall, ok := wallTime(data); ok && wall.After(start) {
					mine = append(mine, time.Since(wall))
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	go func() {
		open.Wait()
		close(ready)
	}()
	wg.Wait()
	slices.Sort(lat)
	return lat
}

// Quantile is the q-quantile of sorted durations, 0 if there are none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(int(q*float64(len(sorted))), len(sorted)-1)]
}

// wallTime reads an event's wall time from its JSON. Decoding every event
// whole would cost the generator, which shares the machine with the
// server, more than the server spends sending it.
func wallTime(data string) (time.Time, bool) {
	_, rest, ok := strings.Cut(data, `"wall":"`)
	if !ok {
		return time.Time{}, false
	}
	v, _, ok := strings.Cut(rest, `"`)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}
