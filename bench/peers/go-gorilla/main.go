// SPDX-License-Identifier: MIT
// Comparison peer for bench/relay: Go with gorilla/websocket, the class of
// server Centrifugo is. The same protocol v1 subset as bench/peers/node-ws
// (welcome, join with nearest-first matching, message with delivered,
// typing, leave, partner_left), real JSON with encoding/json, keys in the
// order the C++ codec writes them. One goroutine reads each connection;
// writes go straight to the socket under the connection's own mutex, as
// gorilla allows one writer at a time. GOMAXPROCS is set by the bench to
// the cores the process is pinned to.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

const (
	maxBytes = 16 * 1024
	maxText  = 2000
	earthKm  = 6371.0088
)

var buckets = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000}

type client struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	id      int
	state   string
	partner *client
	lat     float64
	lon     float64
	rng     float64
}

var (
	mu      sync.Mutex // matching and pairing state
	waiting []*client  // in join order
	nextID  = 1
)

func (c *client) send(v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	c.wmu.Lock()
	c.ws.WriteMessage(websocket.TextMessage, b)
	c.wmu.Unlock()
}

type errorMsg struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Ref     string `json:"ref,omitempty"`
	Type    string `json:"type"`
}

func (c *client) error(code, message, ref string) {
	c.send(errorMsg{code, message, ref, "error"})
}

type typeOnly struct {
	Type string `json:"type"`
}
type limits struct {
	MaxMessageBytes int `json:"max_message_bytes"`
	MaxTextChars    int `json:"max_text_chars"`
}
type welcome struct {
	Limits   limits `json:"limits"`
	Protocol int    `json:"protocol"`
	Server   string `json:"server"`
	Session  string `json:"session"`
	Type     string `json:"type"`
}
type matched struct {
	DistanceKm float64 `json:"distance_km"`
	Pair       string  `json:"pair"`
	Partner    string  `json:"partner"`
	Type       string  `json:"type"`
}
type incoming struct {
	Text string `json:"text"`
	Ts   int64  `json:"ts"`
	Type string `json:"type"`
}
type delivered struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}
type typing struct {
	Active bool   `json:"active"`
	Type   string `json:"type"`
}
type partnerLeft struct {
	Reason string `json:"reason"`
	Type   string `json:"type"`
}

// What a client may send: every field of the subset, absent ones nil.
type inbound struct {
	Type    *string  `json:"type"`
	Text    *string  `json:"text"`
	ID      *string  `json:"id"`
	Active  bool     `json:"active"`
	Lat     *float64 `json:"lat"`
	Lon     *float64 `json:"lon"`
	RangeKm *float64 `json:"range_km"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func haversineKm(a, b *client) float64 {
	r := math.Pi / 180
	dLat := (b.lat - a.lat) * r
	dLon := (b.lon - a.lon) * r
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(a.lat*r)*math.Cos(b.lat*r)*math.Pow(math.Sin(dLon/2), 2)
	return 2 * earthKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

func bucket(km float64) float64 {
	for _, b := range buckets {
		if km <= b {
			return b
		}
	}
	return 20000
}

func removeWaiting(c *client) {
	for i, o := range waiting {
		if o == c {
			waiting = append(waiting[:i], waiting[i+1:]...)
			return
		}
	}
}

// Called with mu held; sends after pairing (sends take only the write mutexes).
func tryMatch(c *client) func() {
	var best *client
	bestKm := math.Inf(1)
	for _, o := range waiting {
		if o == c {
			continue
		}
		km := haversineKm(c, o)
		if km <= c.rng && km <= o.rng && km < bestKm {
			best, bestKm = o, km
		}
	}
	if best == nil {
		return func() {}
	}
	removeWaiting(c)
	removeWaiting(best)
	pair := randomHex(8)
	c.partner, best.partner = best, c
	c.state, best.state = "paired", "paired"
	d := bucket(bestKm)
	return func() {
		c.send(matched{d, pair, fmt.Sprintf("guest%d", best.id), "matched"})
		best.send(matched{d, pair, fmt.Sprintf("guest%d", c.id), "matched"})
	}
}

// Called with mu held; returns the partner to notify.
func endPair(c *client) *client {
	p := c.partner
	c.partner = nil
	if p == nil {
		return nil
	}
	p.partner = nil
	p.state = "lobby"
	return p
}

func valid(v *float64) bool { return v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) }

func (c *client) onMessage(data []byte) {
	var m inbound
	if err := json.Unmarshal(data, &m); err != nil {
		c.error("bad_request", "invalid JSON", "")
		return
	}
	if m.Type == nil {
		c.error("bad_request", "expected an object with a type", "")
		return
	}
	switch *m.Type {
	case "message":
		mu.Lock()
		p := c.partner
		mu.Unlock()
		if p == nil {
			c.error("conflict", "not paired", "message")
			return
		}
		if m.Text == nil || len(*m.Text) < 1 || len([]rune(*m.Text)) > maxText {
			c.error("bad_request", "bad text", "message")
			return
		}
		p.send(incoming{*m.Text, time.Now().UnixMilli(), "message"})
		if m.ID != nil {
			c.send(delivered{*m.ID, "delivered"})
		}
	case "typing":
		mu.Lock()
		p := c.partner
		mu.Unlock()
		if p == nil {
			c.error("conflict", "not paired", "typing")
			return
		}
		p.send(typing{m.Active, "typing"})
	case "join":
		if !valid(m.Lat) || !valid(m.Lon) || !valid(m.RangeKm) || math.Abs(*m.Lat) > 90 ||
			math.Abs(*m.Lon) > 180 || *m.RangeKm <= 0 || *m.RangeKm > 20015.1 {
			c.error("bad_request", "bad join", "join")
			return
		}
		mu.Lock()
		if c.state != "lobby" {
			mu.Unlock()
			c.error("conflict", "already waiting or paired", "join")
			return
		}
		c.lat, c.lon, c.rng, c.state = *m.Lat, *m.Lon, *m.RangeKm, "waiting"
		waiting = append(waiting, c)
		c.send(typeOnly{"waiting"})
		notify := tryMatch(c)
		mu.Unlock()
		notify()
	case "leave":
		mu.Lock()
		var p *client
		switch c.state {
		case "waiting":
			removeWaiting(c)
		case "paired":
			p = endPair(c)
		default:
			mu.Unlock()
			c.error("conflict", "neither waiting nor paired", "leave")
			return
		}
		c.state = "lobby"
		mu.Unlock()
		if p != nil {
			p.send(partnerLeft{"left", "partner_left"})
		}
		c.send(typeOnly{"left"})
	default:
		c.error("bad_request", "unknown type", *m.Type)
	}
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	CheckOrigin:     func(*http.Request) bool { return true },
}

func serve(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(maxBytes)
	mu.Lock()
	c := &client{ws: ws, id: nextID, state: "lobby"}
	nextID++
	mu.Unlock()
	c.send(welcome{limits{maxBytes, maxText}, 1, "go-gorilla-peer", randomHex(12), "welcome"})
	for {
		kind, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		if kind != websocket.TextMessage {
			c.error("bad_request", "binary frames are not supported", "")
			continue
		}
		c.onMessage(data)
	}
	mu.Lock()
	var p *client
	if c.state == "waiting" {
		removeWaiting(c)
	} else if c.state == "paired" {
		p = endPair(c)
	}
	c.state = "closed"
	mu.Unlock()
	if p != nil {
		p.send(partnerLeft{"disconnected", "partner_left"})
	}
	ws.Close()
}

func main() {
	host := flag.String("listen", "127.0.0.1", "address")
	port := flag.Int("port", 0, "port (0: any free)")
	flag.Parse()
	ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", *host, *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("whisperchat-server ready: chat ws://%s/\n", ln.Addr().String())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sig; os.Exit(0) }()
	http.Serve(ln, http.HandlerFunc(serve))
}
