// Package archtest holds the dependency rule of the code base as a test:
// dependencies point inward. app holds the domain and its use cases and
// knows nothing of HTTP, JSON-LD, SQL, queues or signatures; only its
// store adapter (app/store) speaks to the database. federation speaks
// ActivityPub but registers no HTTP routes of its own (web mounts them),
// and web and jobs do not know each other.
package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// rule forbids packages matching `pkgs` (a path prefix below the module)
// to import anything starting with one of `banned`, except the packages
// listed in except.
type rule struct {
	name   string
	pkgs   string
	except []string
	banned []string
}

const module = "github.com/plaudit/plaudit/"

var rules = []rule{
	{
		name: "app knows no adapter", pkgs: "app", except: []string{"app/store"},
		banned: []string{
			"github.com/gin-gonic/", "gorm.io/", "github.com/hibiken/asynq", "github.com/go-fed/",
			"github.com/redis/", "net/http", "github.com/jackc/", "github.com/glebarez/",
			module + "federation", module + "web", module + "jobs", module + "cmd", module + "configs",
		},
	},
	{
		name: "federation registers no routes and knows no delivery mechanism of its callers", pkgs: "federation",
		banned: []string{"github.com/gin-gonic/", "github.com/hibiken/asynq", module + "web", module + "jobs", module + "cmd"},
	},
	{name: "web does not know jobs", pkgs: "web", banned: []string{module + "jobs", module + "cmd"}},
	{name: "jobs does not know web", pkgs: "jobs", banned: []string{module + "web", module + "cmd"}},
}

// TestDependenciesPointInward lists every package's imports (not its
// tests') with go list and checks them against the rules.
func TestDependenciesPointInward(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	checked := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		pkg, imports := strings.TrimPrefix(fields[0], module), fields[1:]
		for _, r := range rules {
			if !r.covers(pkg) {
				continue
			}
			checked++
			for _, imp := range imports {
				if r.forbids(imp) {
					t.Errorf("%s imports %s: %s", pkg, imp, r.name)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d packages checked: go list did not list the module", checked)
	}
}

func (r rule) covers(pkg string) bool {
	if pkg != r.pkgs && !strings.HasPrefix(pkg, r.pkgs+"/") {
		return false
	}
	for _, e := range r.except {
		if pkg == e || strings.HasPrefix(pkg, e+"/") {
			return false
		}
	}
	return true
}

func (r rule) forbids(imp string) bool {
	for _, b := range r.banned {
		if imp == b || strings.HasPrefix(imp, b) && (strings.HasSuffix(b, "/") || strings.HasPrefix(imp[len(b):], "/")) {
			return true
		}
	}
	return false
}
