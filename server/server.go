package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/postgres"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// Defaults of Config.
const (
	DefaultAddr         = "127.0.0.1:8080"
	DefaultInstallation = "shuttle"
	DefaultMaxBody      = 1 << 20
	DefaultRate         = 50  // requests a second per token
	DefaultBurst        = 100 // requests at once per token
)

// adminCase is the store's record of the server itself: its participants
// are the mediator tokens, valid in every case, and its Meta holds the
// installation key. The store has no place of its own for either.
const adminCase = "shuttle.server"

// Config configures a Server. Only Store is required.
type Config struct {
	Addr  string // listen address, DefaultAddr if empty; port 0 picks one
	Store store.Store
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Installation names the key that signs tree heads, in new stores.
	Installation string
	MaxBody      int64   // request body limit in bytes
	Rate         float64 // sustained requests a second per token
	Burst        int     // requests a token may make at once
}

// Server is a live mediation server. New prepares it and resumes the open
// cases; Run serves until its context ends or Close is called.
type Server struct {
	cfg        Config
	st         store.Store
	log        *slog.Logger
	key        *ledger.Key
	adminToken string
	ln         net.Listener
	hs         *http.Server
	reg        *prometheus.Registry
	metrics    *metrics
	limits     *limiter
	known      sync.Map // store.TokenHash → store.Participant; see participant
	keyed      sync.Map // key id → store.Participant with its key; see keyHolder
	nonces     nonces   // of signed requests; see signedCaller

	ctx    context.Context // ends when the server closes; cases run under it
	cancel context.CancelFunc
	heads  chan store.TreeHead // routine heads for saveHeads to save
	saved  chan struct{}       // closed when saveHeads has saved the last

	mu    sync.Mutex
	cases map[string]*liveCase
	// stopped are the cases whose replay diverged from their log: they
	// are not served; see markStopped.
	stopped map[string]bool
}

// New opens the server's listener, loads (or on first start creates) the
// installation key and a first mediator token, and resumes every open case.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Installation == "" {
		cfg.Installation = DefaultInstallation
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Logger, cases: map[string]*liveCase{}, stopped: map[string]bool{},
		reg: prometheus.NewRegistry(), limits: newLimiter(cfg.Rate, cfg.Burst)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.nonces.since = time.Now().Unix()
	s.heads, s.saved = make(chan store.TreeHead, 1024), make(chan struct{})
	go s.saveHeads()
	s.metrics = newMetrics(s.reg, s.openCases)
	if err := s.loadInstallation(ctx); err != nil {
		s.abandon()
		return nil, err
	}
	open, err := s.st.OpenCases(ctx)
	if err != nil {
		s.abandon()
		return nil, fmt.Errorf("server: open cases: %w", err)
	}
	for _, sc := range open {
		c, err := s.resume(ctx, sc)
		if err != nil {
			// One broken case must not keep the others from being served.
			s.log.Error("resume case", "case", sc.ID, "err", err)
			s.markStopped(sc.ID, err)
			continue
		}
		s.cases[sc.ID] = c
		// The case's negotiation may be running already.
		c.mu.Lock()
		n, state := c.events.len(), c.state
		c.mu.Unlock()
		s.log.Info("resumed case", "case", sc.ID, "events", n, "state", state)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	s.ln = ln
	s.hs = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	return s, nil
}

// loadInstallation reads the installation key, or creates it with the first
// mediator token on a new store.
func (s *Server) loadInstallation(ctx context.Context) error {
	c, err := s.st.GetCase(ctx, adminCase)
	if shuttle.ErrorCode(err) == shuttle.ENotFound {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		meta, _ := json.Marshal(installation{Name: s.cfg.Installation, Key: priv.Seed()})
		c = store.Case{ID: adminCase, Name: "server", Created: time.Now(), Meta: meta}
		if err := s.st.CreateCase(ctx, c); err != nil {
			return fmt.Errorf("server: create installation: %w", err)
		}
		if err := s.st.SetCaseState(ctx, adminCase, "server", true); err != nil {
			return fmt.Errorf("server: create installation: %w", err)
		}
		if s.adminToken, err = MintToken(ctx, s.st); err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("server: load installation: %w", err)
	}
	var in installation
	if err := json.Unmarshal(c.Meta, &in); err != nil || len(in.Key) != ed25519.SeedSize {
		return fmt.Errorf("server: installation record is damaged")
	}
	s.key, err = ledger.NewKey(in.Name, ed25519.NewKeyFromSeed(in.Key))
	return err
}

type installation struct {
	Name string `json:"name"`
	Key  []byte `json:"key"` // ed25519 seed
}

// MintToken adds a mediator token, valid in every case, to the server's
// store and returns it. It is shown once: the store keeps only its hash.
func MintToken(ctx context.Context, st store.Store) (string, error) {
	if _, err := st.GetCase(ctx, adminCase); err != nil {
		return "", fmt.Errorf("mint token: the server has not been started on this database yet: %w", err)
	}
	ps, err := st.Participants(ctx, adminCase)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	tok, h := store.NewToken()
	p := store.Participant{Case: adminCase, Name: fmt.Sprintf("mediator-%d", len(ps)+1), Role: store.RoleMediator, TokenHash: h}
	if err := st.AddParticipant(ctx, p); err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return tok, nil
}

// OpenStore opens the store a DSN names: a postgres:// or postgresql:// URL
// for PostgreSQL, anything else as the path of a SQLite file.
func OpenStore(ctx context.Context, dsn string) (store.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

// AdminToken is the mediator token created on the first start of a store,
// "" on later starts.
func (s *Server) AdminToken() string { return s.adminToken }

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// InstallationKey is the verifier key of the installation, which archives
// are checked against.
func (s *Server) InstallationKey() string { return s.key.VerifierKey() }

// Run serves HTTP until ctx ends or Close is called.
func (s *Server) Run(ctx context.Context) error {
	s.log.Info("serving", "addr", s.Addr(), "installation", s.key.VerifierKey(), "cases", s.openCases())
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	err := s.hs.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops serving, stops the cases' engines and timers and closes the
// store. Events already acknowledged are durable; calling it again does
// nothing.
func (s *Server) Close() error {
	if s.closing() {
		return nil
	}
	s.cancel()
	var err error
	if s.hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = s.hs.Shutdown(ctx)
		cancel()
	} else if s.ln != nil {
		err = s.ln.Close()
	}
	s.mu.Lock()
	cases := make([]*liveCase, 0, len(s.cases))
	for _, c := range s.cases {
		cases = append(cases, c)
	}
	s.mu.Unlock()
	for _, c := range cases {
		c.mu.Lock()
		c.stopTimerLocked()
		if c.broken == nil {
			// Leave a head over the events since the last, as a restart
			// would sign one.
			c.checkpointLocked(context.Background())
		}
		running := c.session != nil
		c.mu.Unlock()
		if running {
			<-c.done
		}
	}
	close(s.heads)
	<-s.saved
	return errors.Join(err, s.st.Close())
}

// abandon undoes what New started before any case was resumed; the store
// is the caller's to close.
func (s *Server) abandon() {
	s.cancel()
	close(s.heads)
	<-s.saved
}

// saveHeads saves the routine tree heads cases sign, in the order signed,
// until Close.
func (s *Server) saveHeads() {
	defer close(s.saved)
	for h := range s.heads {
		s.saveHead(context.Background(), h)
	}
}

func (s *Server) saveHead(ctx context.Context, h store.TreeHead) {
	if err := s.st.SaveTreeHead(ctx, h); err != nil {
		s.log.Error("save tree head", "case", h.Case, "size", h.Size, "err", err)
	}
}

func (s *Server) closing() bool { return s.ctx.Err() != nil }

func (s *Server) openCases() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cases)
}

func (s *Server) caseByID(id string) *liveCase {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cases[id]
}

// metrics are the server's Prometheus series.
type metrics struct {
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	events        prometheus.Counter
	appendSeconds prometheus.Histogram
}

func newMetrics(reg *prometheus.Registry, open func() int) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shuttle_http_requests_total",
			Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "shuttle_http_request_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		events: prometheus.NewCounter(prometheus.CounterOpts{Name: "shuttle_events_appended_total",
			Help: "Events appended durably to case logs."}),
		appendSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "shuttle_append_seconds",
			Help: "Time to append a batch of events durably.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
	}
	reg.MustRegister(m.requests, m.latency, m.events, m.appendSeconds,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "shuttle_cases_open", Help: "Cases the server runs."},
			func() float64 { return float64(open()) }),
		collectors.NewGoCollector())
	return m
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
}

// limiter is a token bucket per bearer token.
type limiter struct {
	rate  float64
	burst float64
	mu    sync.Mutex
	b     map[store.TokenHash]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), b: map[store.TokenHash]*bucket{}}
}

// allow takes one request from h's bucket.
func (l *limiter) allow(h store.TokenHash) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	b := l.b[h]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.b[h] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
