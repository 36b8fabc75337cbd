package configs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"

	"github.com/plaudit/plaudit/configs"
)

const exampleFile = "plaudit.example.yaml"

// Markers around the commented production example in exampleFile.
const (
	productionBegin = "# -- production example --"
	productionEnd   = "# -- end of production example --"
)

func TestExampleFileIsTheDefault(t *testing.T) {
	cfg, err := configs.Load(exampleFile, nil, nil)
	if err != nil {
		t.Fatalf("Load(%s): %v", exampleFile, err)
	}
	if diff := cmp.Diff(configs.Default(), cfg); diff != "" {
		t.Errorf("%s does not hold the defaults (-Default() +file):\n%s", exampleFile, diff)
	}
}

func TestExampleFileHasEveryKey(t *testing.T) {
	k := koanf.New(".")
	if err := k.Load(file.Provider(exampleFile), yaml.Parser()); err != nil {
		t.Fatalf("parse %s: %v", exampleFile, err)
	}
	got := k.Keys()
	sort.Strings(got)
	if diff := cmp.Diff(configs.Keys(), got); diff != "" {
		t.Errorf("keys in %s differ from configs.Keys() (-Keys() +file):\n%s", exampleFile, diff)
	}
}

// TestExampleFileExplainsEveryKey wants a comment right above every key.
func TestExampleFileExplainsEveryKey(t *testing.T) {
	lines := mustReadLines(t, exampleFile)
	for _, key := range configs.Keys() {
		name := key[strings.LastIndex(key, ".")+1:]
		i := indexOfKey(lines, name)
		if i < 0 {
			t.Errorf("%s: no line sets %s", exampleFile, key)
			continue
		}
		if i == 0 || !strings.HasPrefix(strings.TrimSpace(lines[i-1]), "# ") {
			t.Errorf("%s:%d: key %s has no comment on the line above", exampleFile, i+1, key)
		}
	}
}

func TestExampleFileProductionExample(t *testing.T) {
	path := filepath.Join(t.TempDir(), "production.yaml")
	text := strings.Join(productionExample(t, mustReadLines(t, exampleFile)), "\n")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	cfg, err := configs.Load(path, nil, nil)
	if err != nil {
		t.Fatalf("Load production example: %v\n%s", err, text)
	}
	if !cfg.UsesPostgres() {
		t.Errorf("production example DatabaseURL = %q, want PostgreSQL", cfg.DatabaseURL)
	}
	if cfg.RedisURL == "" {
		t.Error("production example has no redis_url")
	}
	if cfg.AutoMigrate {
		t.Error("production example migrates on start, want auto_migrate: false")
	}
	if got, want := cfg.BaseURL(), "https://plaudit.example"; got != want {
		t.Errorf("production example BaseURL() = %q, want %q", got, want)
	}
}

// productionExample returns the commented lines between the markers,
// uncommented.
func productionExample(tb testing.TB, lines []string) []string {
	tb.Helper()
	var out []string
	inside := false
	for _, line := range lines {
		switch {
		case line == productionBegin:
			inside = true
		case line == productionEnd:
			if len(out) == 0 {
				tb.Fatalf("%s: production example is empty", exampleFile)
			}
			return out
		case inside && strings.HasPrefix(line, "# "):
			out = append(out, strings.TrimPrefix(line, "# "))
		case inside:
			tb.Fatalf("%s: production example line %q does not start with \"# \"", exampleFile, line)
		}
	}
	tb.Fatalf("%s: no %q … %q block", exampleFile, productionBegin, productionEnd)
	return nil
}

func indexOfKey(lines []string, name string) int {
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), name+":") && !strings.HasPrefix(line, "#") {
			return i
		}
	}
	return -1
}

func mustReadLines(tb testing.TB, path string) []string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return strings.Split(string(b), "\n")
}

// ExampleLoad reads the example file, then the environment, then the flags
// that were set: each overrides the one before.
func ExampleLoad() {
	fs := pflag.NewFlagSet("plaudit", pflag.ContinueOnError)
	configs.RegisterFlags(fs)
	if err := fs.Parse([]string{"--worker.concurrency", "4"}); err != nil {
		fmt.Println(err)
		return
	}
	environ := []string{"PLAUDIT_DOMAIN=plaudit.example", "PLAUDIT_WORKER_CONCURRENCY=2"}
	cfg, err := configs.Load("plaudit.example.yaml", environ, fs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.BaseURL(), cfg.Worker.Concurrency, cfg.UsesPostgres(), cfg.SQLitePath())
	// Output: https://plaudit.example 4 false data/plaudit.db
}
