package realclient_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser tests drive the web interface with headless Chromium
// (chromedp), against the real server binary and a real SyncEvolution
// device.

// chromiumPath finds Debian's chromium; "" when it is not installed.
func chromiumPath() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// phoneWidth and phoneHeight are a small phone's viewport in CSS pixels.
const phoneWidth, phoneHeight = 390, 844

// browser is one headless Chromium with its own empty profile.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string // screenshots
	n   int
}

func newBrowser(t *testing.T, shots string) *browser {
	t.Helper()
	exe := chromiumPath()
	if exe == "" {
		t.Skip("chromium not found (apt-get install chromium): the browser tests need headless Chromium")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(phoneWidth, phoneHeight),
	}
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	// The first call starts the browser: no timeout on it, as a timeout
	// would stop the browser with it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, dir: shots}
}

// bounded is the browser's context with a generous bound, so that a hung
// browser fails the test instead of blocking it.
func (b *browser) bounded() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 60*time.Second)
}

func (b *browser) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.bounded()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// value runs one action that returns a value.
func value[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.bounded()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// shot saves a full-page screenshot at phone width as NN-name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png := value(b, chromedp.FullScreenshot(100))
	b.n++
	p := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
}

// text returns the text of the first element matching the CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return value(b, chromedp.Text(chromedp.CSS(sel)))
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	return len(value(b, chromedp.Nodes(chromedp.CSSAll(sel), chromedp.AtLeast(0))))
}

func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return value(b, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

func (b *browser) login(base, user, password string) {
	b.t.Helper()
	b.run(chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("nav")))
}
