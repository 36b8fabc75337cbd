package web_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestButtonScripts runs web/testdata/button_js_test.js with node: the
// placeholder contract of button.js, the frame's link to the visitor's
// chosen server, and how a typed server becomes an origin. Without node
// on the machine it is skipped (the Go tests check the HTML contract).
func TestButtonScripts(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("PLAUDIT_TEST_BROWSER") == "required" {
			t.Fatal("PLAUDIT_TEST_BROWSER=required but node is not installed")
		}
		t.Skip("node is not installed: the button scripts' logic is not checked")
	}
	out, err := exec.Command(node, "testdata/button_js_test.js", "static").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "button scripts: ok") {
		t.Fatalf("node: %v\n%s", err, out)
	}
}
