package e2e_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var seedFlag = flag.Uint64("e2e.seed", 0, "seed of the random fault points (0: a new one each run)")

// seeded returns a random source for a test's fault points, seeded from
// -e2e.seed or afresh, and logs the seed so that a failure can be replayed.
func seeded(t testing.TB) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("fault points seeded with -e2e.seed=%d", seed)
	return rand.New(rand.NewPCG(seed, seed>>1|1))
}

// binDir holds the binaries built for the tests that run them.
var binDir string

// TestMain makes a folder for the binaries and removes it afterwards.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "yiwangtong-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// packages are the commands the tests run, by binary name.
var packages = map[string]string{
	"yiwangtong":        "github.com/yiwangtong/yiwangtong",
	"yiwangtong-server": "github.com/yiwangtong/yiwangtong/cmd/yiwangtong-server",
}

var builds sync.Map // name → *build

type build struct {
	once sync.Once
	path string
	err  error
}

// binary builds a command with `go build` the first time a test needs it
// and returns its path. It skips the test where there is no go command to
// build with, as when the tests run as a Windows binary under Wine: what the
// test checked before it needed the command still counts.
func binary(t testing.TB, name string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build %s with (%v): this machine runs the tests without a Go toolchain, e.g. as a Windows binary under Wine", packages[name], err)
	}
	v, _ := builds.LoadOrStore(name, &build{})
	b := v.(*build)
	b.once.Do(func() {
		b.path = filepath.Join(binDir, name)
		if runtime.GOOS == "windows" {
			b.path += ".exe" // exec finds a program on Windows only by its extension
		}
		out, err := exec.Command(gobin, "build", "-o", b.path, packages[name]).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", packages[name], err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}
