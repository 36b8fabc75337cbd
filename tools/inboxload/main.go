// Command inboxload measures how many signed Like activities one Plaudit
// inbox accepts per second. It plays a remote server on loopback: it serves
// the actor documents (with their public keys) that the inbox fetches to
// verify signatures, signs every request before the timed run (an RSA
// signature costs about a millisecond, more than the inbox spends on a
// request), then sends them with a fixed number of concurrent connections
// and reports throughput and latency percentiles.
//
//	go run ./tools/inboxload -inbox http://127.0.0.1:8080/users/alice/inbox -object 'http://127.0.0.1:8080/objects/note%d' -notes 100 -actors 100 -n 30000 -c 64
package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/httpsig"
)

func main() {
	var (
		inbox   = flag.String("inbox", "", "inbox URL to load, e.g. http://127.0.0.1:8080/users/alice/inbox")
		object  = flag.String("object", "", "URI the Likes point at, e.g. a post; a %d in it is replaced by the note number (see -notes)")
		notes   = flag.Int("notes", 100, "distinct objects liked, when -object has a %d")
		objFile = flag.String("objects", "", "file of URIs the Likes point at, one a line (instead of -object)")
		wtd     = flag.Bool("weighted", false, "send flattrs: Likes with Plaudit's weight and month terms")
		n       = flag.Int("n", 20000, "requests to send")
		conc    = flag.Int("c", 32, "concurrent connections")
		actors  = flag.Int("actors", 100, "distinct remote actors signing the requests")
		listen  = flag.String("listen", "127.0.0.1:0", "address of the fake remote server")
		warmup  = flag.Int("warmup", 200, "requests sent before the timed run (key fetches, connection set-up)")
		timeout = flag.Duration("timeout", 10*time.Second, "per-request timeout")
	)
	flag.Parse()
	weighted = *wtd
	if *inbox == "" || (*object == "") == (*objFile == "") {
		flag.Usage()
		os.Exit(2)
	}
	objects := objectURIs(*object, *notes)
	if *objFile != "" {
		b, err := os.ReadFile(*objFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "inboxload:", err)
			os.Exit(1)
		}
		objects = strings.Fields(string(b))
	}
	if err := run(*inbox, objects, *n, *conc, *actors, *warmup, *listen, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "inboxload:", err)
		os.Exit(1)
	}
}

type remote struct {
	base   string
	keys   []*rsa.PrivateKey
	actors [][]byte
}

// objectURIs lists the objects liked: object itself, or, when it holds a
// %d, one URI per note number 0…notes-1.
func objectURIs(object string, notes int) []string {
	if !strings.Contains(object, "%d") || notes < 1 {
		return []string{object}
	}
	out := make([]string, notes)
	for i := range out {
		out[i] = fmt.Sprintf(object, i)
	}
	return out
}

func run(inbox string, objects []string, n, conc, nActors, warmup int, listen string, timeout time.Duration) error {
	r, err := startRemote(listen, nActors)
	if err != nil {
		return err
	}
	fmt.Printf("remote server %s with %d actors, Likes of %d objects; signing %d requests…\n", r.base, nActors, len(objects), n+warmup)
	reqs, err := r.signAll(inbox, objects, n+warmup)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	if warmup > 0 {
		res := fire(client, reqs[:warmup], conc)
		fmt.Printf("warm-up: %d requests, %d accepted\n", warmup, res.accepted)
	}
	res := fire(client, reqs[warmup:], conc)
	res.print(n, conc)
	if res.accepted == 0 {
		return fmt.Errorf("no request was accepted; first error: %s", res.firstError)
	}
	return nil
}

// startRemote serves nActors actor documents on a loopback listener.
func startRemote(listen string, nActors int) (*remote, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	r := &remote{base: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	for i := 0; i < nActors; i++ {
		key, err := httpsig.GenerateKey()
		if err != nil {
			return nil, err
		}
		pemText, err := httpsig.EncodePublicKeyPEM(&key.PublicKey)
		if err != nil {
			return nil, err
		}
		id := fmt.Sprintf("%s/users/loader%d", r.base, i)
		doc := as2.ActorDocument(as2.ActorSpec{
			ID: id, Type: "Person", PreferredUsername: fmt.Sprintf("loader%d", i),
			Inbox: id + "/inbox", Outbox: id + "/outbox", Followers: id + "/followers", Following: id + "/following",
			PublicKeyID: id + "#main-key", PublicKeyPEM: pemText,
		})
		body, err := doc.Marshal()
		if err != nil {
			return nil, err
		}
		r.keys = append(r.keys, key)
		r.actors = append(r.actors, body)
		mux.HandleFunc(fmt.Sprintf("/users/loader%d", i), func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/activity+json")
			_, _ = w.Write(body)
		})
		mux.HandleFunc(fmt.Sprintf("/users/loader%d/inbox", i), func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
		})
	}
	go func() { _ = http.Serve(ln, mux) }()
	return r, nil
}

type signedRequest struct {
	url    string
	header http.Header
	body   []byte
}

// weighted makes the Likes flattrs (weight 1–10, this month).
var weighted bool

// signAll makes count signed Like POSTs, each with its own activity id.
func (r *remote) signAll(inbox string, objects []string, count int) ([]signedRequest, error) {
	out := make([]signedRequest, count)
	workers := 2
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < count; i += workers {
				a := i % len(r.keys)
				actor := fmt.Sprintf("%s/users/loader%d", r.base, a)
				like := as2.NewActivity(fmt.Sprintf("%s#likes/%d-%d", actor, time.Now().UnixNano(), i), "Like", actor, objects[(i/len(r.keys))%len(objects)])
				if weighted {
					like = like.With("weight", 1+i%10).With("month", time.Now().UTC().Format("2006-01")).AddContext(as2.FlattrContext())
				}
				body, err := json.Marshal(like)
				if err != nil {
					errs <- err
					return
				}
				req, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				req.Header.Set("Content-Type", "application/activity+json")
				if err := httpsig.NewSigner(actor+"#main-key", r.keys[a]).SignPOST(req, body); err != nil {
					errs <- err
					return
				}
				out[i] = signedRequest{url: inbox, header: req.Header, body: body}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out, nil
}

type result struct {
	elapsed    time.Duration
	accepted   int64
	statuses   map[int]int
	latencies  []time.Duration
	firstError string
}

// fire sends reqs over conc connections and collects latencies.
func fire(client *http.Client, reqs []signedRequest, conc int) *result {
	var (
		next      atomic.Int64
		accepted  atomic.Int64
		mu        sync.Mutex
		statuses  = map[int]int{}
		latencies = make([]time.Duration, len(reqs))
		firstErr  string
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					return
				}
				sr := reqs[i]
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, sr.url, bytes.NewReader(sr.body))
				req.Header = sr.header.Clone()
				t0 := time.Now()
				resp, err := client.Do(req)
				latencies[i] = time.Since(t0)
				status := 0
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
					if status == http.StatusAccepted {
						accepted.Add(1)
					}
				}
				mu.Lock()
				statuses[status]++
				if status != http.StatusAccepted && firstErr == "" {
					firstErr = fmt.Sprintf("status %d, err %v", status, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return &result{elapsed: time.Since(start), accepted: accepted.Load(), statuses: statuses, latencies: latencies, firstError: firstErr}
}

func (r *result) print(n, conc int) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) time.Duration { return r.latencies[int(p*float64(len(r.latencies)-1))] }
	fmt.Printf("sent %d signed Likes with %d connections in %s\n", n, conc, r.elapsed.Round(time.Millisecond))
	fmt.Printf("accepted (202): %d = %.0f/s; statuses %v\n", r.accepted, float64(r.accepted)/r.elapsed.Seconds(), r.statuses)
	fmt.Printf("latency p50 %s, p90 %s, p99 %s, max %s\n", pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), r.latencies[len(r.latencies)-1].Round(10*time.Microsecond))
}
