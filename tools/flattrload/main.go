// Command flattrload measures how many flattrs one Plaudit server records
// per second through its API: it POSTs /api/v1/flattrs with the bearer
// tokens of several funders, each flattring a list of things in turn, with
// a fixed number of concurrent connections, and reports throughput,
// latency percentiles and the answers by status.
//
//	go run ./tools/flattrload -base http://127.0.0.1:8080 -tokens tokens.txt -things things.txt -n 10000 -c 32
//
// Request i is funder i mod F flattring thing (i / F) mod T with weight
// 1 + i mod 10, so the first F×T requests are all new flattrs (201) and
// later ones change weights (200).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var (
		base    = flag.String("base", "", "server base URL, e.g. http://127.0.0.1:8080")
		tokens  = flag.String("tokens", "", "file with one bearer token per line (one per funder)")
		things  = flag.String("things", "", "file with one thing URL per line")
		n       = flag.Int("n", 10000, "requests to send")
		conc    = flag.Int("c", 32, "concurrent connections")
		timeout = flag.Duration("timeout", 10*time.Second, "per-request timeout")
	)
	flag.Parse()
	if *base == "" || *tokens == "" || *things == "" {
		flag.Usage()
		os.Exit(2)
	}
	toks, err := lines(*tokens)
	if err != nil {
		fail(err)
	}
	urls, err := lines(*things)
	if err != nil {
		fail(err)
	}
	if len(toks) == 0 || len(urls) == 0 {
		fail(fmt.Errorf("need at least one token and one thing"))
	}
	if err := run(strings.TrimRight(*base, "/")+"/api/v1/flattrs", toks, urls, *n, *conc, *timeout); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flattrload:", err)
	os.Exit(1)
}

func lines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

type result struct {
	status  int
	latency time.Duration
}

func run(endpoint string, tokens, things []string, n, conc int, timeout time.Duration) error {
	bodies := make([][]byte, n)
	for i := range bodies {
		b, err := json.Marshal(map[string]any{"url": things[(i/len(tokens))%len(things)], "weight": 1 + i%10})
		if err != nil {
			return err
		}
		bodies[i] = b
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	results := make([]result, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(bodies[i]))
				req.Header.Set("Authorization", "Bearer "+tokens[i%len(tokens)])
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					results[i] = result{status: -1, latency: time.Since(t0)}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				results[i] = result{status: resp.StatusCode, latency: time.Since(t0)}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(results, elapsed)
	return nil
}

func report(results []result, elapsed time.Duration) {
	byStatus := map[int]int{}
	lat := make([]time.Duration, 0, len(results))
	for _, r := range results {
		byStatus[r.status]++
		lat = append(lat, r.latency)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("%d requests in %.2f s: %.0f requests/s\n", len(results), elapsed.Seconds(), float64(len(results))/elapsed.Seconds())
	fmt.Printf("latency p50 %v p90 %v p99 %v max %v\n", pct(0.5), pct(0.9), pct(0.99), lat[len(lat)-1])
	var statuses []int
	for s := range byStatus {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	for _, s := range statuses {
		fmt.Printf("status %d: %d\n", s, byStatus[s])
	}
}
