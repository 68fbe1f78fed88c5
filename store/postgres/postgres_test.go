package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver of database/sql

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/postgres"
	"github.com/shuttle-mediation/shuttle/store/storetest"
)

// server is the DSN of the database the tests use; skip says why there is
// none.
var server, skip string

// TestMain finds a PostgreSQL server: the one SHUTTLE_TEST_POSTGRES names
// (scripts/postgres-test starts one and sets it), or else a throwaway
// cluster started here if PostgreSQL's programs are installed.
func TestMain(m *testing.M) {
	server = os.Getenv("SHUTTLE_TEST_POSTGRES")
	stop := func() {}
	if server == "" {
		var err error
		if server, stop, err = startCluster(); err != nil {
			skip = "no PostgreSQL: set SHUTTLE_TEST_POSTGRES to a DSN or install PostgreSQL (scripts/postgres-test does both): " + err.Error()
		}
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// startCluster starts a PostgreSQL cluster in a temporary directory,
// listening only on a Unix socket there, and returns its DSN and how to
// stop it.
func startCluster() (dsn string, stop func(), err error) {
	bin, err := postgresBin()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "shuttle-pg-")
	if err != nil {
		return "", nil, err
	}
	// initdb refuses to run as root: run the cluster as postgres, the
	// user Debian's package creates.
	var as []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return "", nil, fmt.Errorf("running as root with no postgres user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(prog string, args ...string) error {
		argv := append(slices.Clone(as), filepath.Join(bin, prog))
		out, err := exec.Command(argv[0], append(argv[1:], args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", prog, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c max_connections=200", dir)
	if err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "start"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop = func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	}
	return "host=" + dir + " user=postgres dbname=postgres", stop, nil
}

// postgresBin finds the directory of PostgreSQL's server programs.
func postgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb not found")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// withParam adds a connection parameter to a DSN of either form.
func withParam(dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + key + "=" + value
	}
	return dsn + " " + key + "=" + value
}

var (
	run     = randomHex()
	schemas sync.Map // test name → schema
	nonWord = regexp.MustCompile(`[^a-z0-9]+`)
)

func randomHex() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// dsn gives each test a schema of its own, made afresh for this run and
// dropped when the test ends, and returns the DSN that uses it.
func dsn(t *testing.T) string {
	t.Helper()
	if skip != "" {
		t.Skip(skip)
	}
	name := strings.Trim(nonWord.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_")
	schema := fmt.Sprintf("shuttle_test_%s_%s", run, name)
	if len(schema) > 63 { // PostgreSQL's longest name
		schema = schema[:54] + "_" + randomHex()
	}
	if got, loaded := schemas.LoadOrStore(t.Name(), schema); loaded {
		schema = got.(string)
	} else {
		admin(t, `CREATE SCHEMA `+schema)
		t.Cleanup(func() { admin(t, `DROP SCHEMA `+schema+` CASCADE`) })
	}
	return withParam(server, "search_path", schema)
}

func opener(t *testing.T) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// admin runs a statement on the test server outside any store.
func admin(t *testing.T, sql string) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), server)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, opener)
}

// TestConcurrentOpen starts instances at once on a new database: each
// must find the schema migrated, once.
func TestConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	dsn := dsn(t)
	stores := make([]store.Store, 6)
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx, dsn) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		defer s.Close()
	}
	created := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	if err := stores[0].CreateCase(ctx, store.Case{ID: "c", Created: created}); err != nil {
		t.Fatal(err)
	}
	for i, s := range stores {
		if _, err := s.GetCase(ctx, "c"); err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if skip != "" {
		t.Skip(skip)
	}
	_, err := postgres.Open(context.Background(), "postgres://u:secret@[::1")
	if shuttle.ErrorCode(err) != shuttle.EInvalid || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(bad DSN) = %v, want an invalid error without the password", err)
	}
	_, err = postgres.Open(context.Background(), withParam(server, "dbname", "no_such_database_"+run))
	if shuttle.ErrorCode(err) != shuttle.EInternal {
		t.Errorf("Open(missing database) = %v, want an internal error", err)
	}
}

// TestUpgrade opens a database an older shuttle, of schema version 1,
// made.
func TestUpgrade(t *testing.T) {
	atV1 := func(t *testing.T) *sql.DB {
		dsn := dsn(t)
		if err := postgres.MigrateTo(context.Background(), dsn, 1); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	storetest.Upgrade(t, atV1, opener)
}

// TestSeqUnique checks that the primary key refuses an event at a seq
// already written behind the store's back.
func TestSeqUnique(t *testing.T) {
	s := opener(t)
	defer s.Close()
	storetest.SeqUnique(t, s, func(t *testing.T) {
		schema, _ := schemas.Load(t.Name())
		admin(t, `INSERT INTO `+schema.(string)+`.events (case_id, seq, time, kind, sender, recipients, leaf)
			VALUES ('c', 2, 0, 'intruder', '', '', '\x00')`)
	})
}

// TestNewerSchema opens a database a newer shuttle migrated: it must be
// refused rather than used.
func TestNewerSchema(t *testing.T) {
	opener(t).Close()
	schema, _ := schemas.Load(t.Name())
	admin(t, `INSERT INTO `+schema.(string)+`.schema_migrations (version, name) VALUES (99, '0099_future.sql')`)
	if _, err := postgres.Open(context.Background(), dsn(t)); shuttle.ErrorCode(err) != shuttle.EUnsupported {
		t.Fatalf("Open of a newer schema = %v, want unsupported", err)
	}
}
