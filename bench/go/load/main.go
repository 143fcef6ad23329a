// Command load sends GET requests to one loopback URL from C keep-alive clients for a fixed time and
// prints the requests per second. Bounded in time; only for 127.0.0.1.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "", "loopback URL")
	clients := flag.Int("c", 16, "concurrent clients")
	duration := flag.Duration("d", 2*time.Second, "duration")
	flag.Parse()
	if !strings.HasPrefix(*url, "http://127.0.0.1:") {
		fmt.Fprintln(os.Stderr, "load: only http://127.0.0.1 URLs")
		os.Exit(2)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: *clients}
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	var ok, failed atomic.Int64
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for range *clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				res, err := client.Get(*url)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	fmt.Printf("%.0f %d\n", float64(ok.Load())/duration.Seconds(), failed.Load())
}
