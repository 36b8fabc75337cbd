// Command countload measures how many requests per second Plaudit's
// count endpoint (GET /api/v1/things/count?url=) answers, and their
// latency. It keeps -c HTTP/1.1 connections open and sends one request at
// a time on each (no pipelining), as many browsers showing a button
// would; it speaks just enough HTTP itself, from prepared request bytes,
// that the load costs this machine's cores far less than the server.
//
//	go run ./tools/countload -base http://127.0.0.1:8080 -urls things.txt -c 64 -d 20s
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var (
		base     = flag.String("base", "", "server, e.g. http://127.0.0.1:8080")
		urlsFile = flag.String("urls", "", "file of thing ids or page URLs, one a line; requests cycle through them")
		conc     = flag.Int("c", 64, "connections")
		dur      = flag.Duration("d", 20*time.Second, "timed run")
		max      = flag.Int("n", 5_000_000, "at most this many timed requests")
		warmup   = flag.Duration("warmup", 2*time.Second, "load before the timed run")
		etag     = flag.Bool("etag", false, "send If-None-Match with the ETag last seen for the URL (revalidating browsers: 304s)")
		path     = flag.String("path", "", "instead of -urls: GET this path (and query) every time, e.g. /api/v1/accounts/verify_credentials")
		header   = flag.String("header", "", "an extra request header, e.g. \"Authorization: Bearer plt_…\"")
	)
	flag.Parse()
	if *base == "" || (*urlsFile == "") == (*path == "") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*base, *urlsFile, *path, *header, *conc, *dur, *warmup, *max, *etag); err != nil {
		fmt.Fprintln(os.Stderr, "countload:", err)
		os.Exit(1)
	}
}

// requests are the prepared GETs, one per URL (or the one path).
func requests(base, file, path, header string) (host string, reqs [][]byte, err error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", nil, fmt.Errorf("base %q: an http:// server", base)
	}
	extra := ""
	if header != "" {
		extra = header + "\r\n"
	}
	if path != "" {
		return u.Host, [][]byte{[]byte("GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\n" + extra)}, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		reqs = append(reqs, []byte("GET /api/v1/things/count?url="+url.QueryEscape(line)+" HTTP/1.1\r\nHost: "+u.Host+"\r\n"))
	}
	if len(reqs) == 0 {
		return "", nil, fmt.Errorf("%s lists no URL", file)
	}
	return u.Host, reqs, nil
}

type result struct {
	lat      []time.Duration
	statuses map[int]int
	errs     int
}

func run(base, file, path, header string, conc int, dur, warmup time.Duration, max int, useETag bool) error {
	host, reqs, err := requests(base, file, path, header)
	if err != nil {
		return err
	}
	fmt.Printf("%d connections, %d URLs, warm-up %s, timed %s (at most %d requests)\n", conc, len(reqs), warmup, dur, max)
	var (
		timing atomic.Bool
		stop   atomic.Bool
		sent   atomic.Int64
		wg     sync.WaitGroup
	)
	results := make([]result, conc)
	for i := range conc {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = worker(host, reqs, i, useETag, &timing, &stop, &sent, int64(max))
		}(i)
	}
	time.Sleep(warmup)
	start := time.Now()
	timing.Store(true)
	deadline := time.After(dur)
	for !stop.Load() {
		select {
		case <-deadline:
			stop.Store(true)
		case <-time.After(50 * time.Millisecond):
			if sent.Load() >= int64(max) {
				stop.Store(true)
			}
		}
	}
	elapsed := time.Since(start)
	wg.Wait()
	report(results, elapsed)
	return nil
}

// worker sends requests on one connection until stop, reconnecting after
// an error; it records the latencies of the timed ones.
func worker(host string, reqs [][]byte, i int, useETag bool, timing, stop *atomic.Bool, sent *atomic.Int64, max int64) result {
	r := result{statuses: map[int]int{}}
	etags := make([]string, len(reqs))
	var (
		conn net.Conn
		rd   *bufio.Reader
		buf  bytes.Buffer
	)
	for k := i; !stop.Load(); k++ {
		if conn == nil {
			c, err := net.Dial("tcp", host)
			if err != nil {
				r.errs++
				time.Sleep(10 * time.Millisecond)
				continue
			}
			conn, rd = c, bufio.NewReaderSize(c, 4096)
		}
		j := k % len(reqs)
		buf.Reset()
		buf.Write(reqs[j])
		if useETag && etags[j] != "" {
			buf.WriteString("If-None-Match: " + etags[j] + "\r\n")
		}
		buf.WriteString("\r\n")
		t0 := time.Now()
		_ = conn.SetDeadline(t0.Add(10 * time.Second))
		status, tag, err := roundTrip(conn, rd, buf.Bytes())
		lat := time.Since(t0)
		if err != nil {
			r.errs++
			conn.Close()
			conn = nil
			continue
		}
		if tag != "" {
			etags[j] = tag
		}
		if timing.Load() && !stop.Load() {
			if sent.Add(1) > max {
				break
			}
			r.lat = append(r.lat, lat)
			r.statuses[status]++
		}
	}
	if conn != nil {
		conn.Close()
	}
	return r
}

// roundTrip writes req and reads one response: its status and ETag; the
// body is read (by Content-Length) and dropped.
func roundTrip(conn net.Conn, rd *bufio.Reader, req []byte) (status int, etag string, err error) {
	if _, err := conn.Write(req); err != nil {
		return 0, "", err
	}
	line, err := rd.ReadSlice('\n')
	if err != nil {
		return 0, "", err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, "", fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, "", err
	}
	length, chunked := 0, false
	for {
		h, err := rd.ReadSlice('\n')
		if err != nil {
			return 0, "", err
		}
		if len(h) <= 2 {
			break
		}
		name, value, ok := bytes.Cut(bytes.TrimRight(h, "\r\n"), []byte(":"))
		if !ok {
			continue
		}
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil {
				return 0, "", err
			}
		case bytes.EqualFold(name, []byte("ETag")):
			etag = string(bytes.TrimSpace(value))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		}
	}
	if chunked {
		err = discardChunks(rd)
	} else {
		_, err = rd.Discard(length)
	}
	if err != nil {
		return 0, "", err
	}
	if status >= 500 {
		return status, etag, fmt.Errorf("status %d", status)
	}
	return status, etag, nil
}

// discardChunks reads a chunked body (RFC 9112, section 7.1) and its
// trailer, and drops them.
func discardChunks(rd *bufio.Reader) error {
	for {
		line, err := rd.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			break
		}
		if _, err := rd.Discard(int(n) + 2); err != nil {
			return err
		}
	}
	for { // the trailer, up to its empty line
		line, err := rd.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}

func report(results []result, elapsed time.Duration) {
	var (
		all      []time.Duration
		errs     int
		statuses = map[int]int{}
	)
	for _, r := range results {
		all = append(all, r.lat...)
		errs += r.errs
		for s, n := range r.statuses {
			statuses[s] += n
		}
	}
	if len(all) == 0 {
		fmt.Println("no request completed")
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(float64(len(all))*p))] }
	fmt.Printf("requests %d in %.2f s = %.0f/s; errors %d; statuses %v\n", len(all), elapsed.Seconds(), float64(len(all))/elapsed.Seconds(), errs, statuses)
	fmt.Printf("latency p50 %s p90 %s p99 %s p99.9 %s max %s\n", pct(.50), pct(.90), pct(.99), pct(.999), all[len(all)-1])
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		fmt.Printf("countload's own cpu %.2f s = %.1f µs per request (warm-up included)\n", cpu.Seconds(), float64(cpu.Microseconds())/float64(len(all)))
	}
}
