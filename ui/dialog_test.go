package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
)

// pressOnCanvas sends a key to the window as the driver does when no
// widget has the focus.
func pressOnCanvas(s *Shell, key fyne.KeyName) {
	s.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: key})
}

func TestDialogKeys(t *testing.T) {
	deps, _ := testDeps(t)
	s := loginShellNoLogin(t, deps)
	overlays := s.win.Canvas().Overlays()

	confirmed := 0
	s.confirm("提交", "确定提交吗？", "提交", func() { confirmed++ })
	pressOnCanvas(s, fyne.KeyEscape)
	if confirmed != 0 || overlays.Top() != nil {
		t.Fatalf("Esc: confirmed %d times, dialog open %v", confirmed, overlays.Top() != nil)
	}
	s.confirm("提交", "确定提交吗？", "提交", func() { confirmed++ })
	pressOnCanvas(s, fyne.KeyReturn)
	if confirmed != 1 || overlays.Top() != nil {
		t.Fatalf("Enter: confirmed %d times, dialog open %v", confirmed, overlays.Top() != nil)
	}

	// A form: Enter in its entry submits; a refusal stays open with the
	// reason in red; Esc in the entry closes it.
	e := s.newEntry()
	submitted := 0
	s.form("新增分组", "保存", []*widget.FormItem{widget.NewFormItem("名称", e)}, func() error {
		submitted++
		if e.Text == "" {
			return assess.Errorf(assess.EInvalid, "请填写名称")
		}
		return nil
	})
	s.win.Canvas().Focus(e)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if submitted != 1 || overlays.Top() == nil || s.dialogErr.Text != "请填写名称" || !s.dialogErr.Visible() {
		t.Fatalf("Enter on an empty form: submitted %d, open %v, error %q", submitted, overlays.Top() != nil, s.dialogErr.Text)
	}
	test.Type(e, "区县")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if submitted != 2 || overlays.Top() != nil {
		t.Fatalf("Enter on a filled form: submitted %d, open %v", submitted, overlays.Top() != nil)
	}
	s.form("新增分组", "保存", []*widget.FormItem{widget.NewFormItem("名称", e)}, func() error {
		submitted++
		return errors.New("unexpected")
	})
	s.win.Canvas().Focus(e)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if submitted != 2 || overlays.Top() != nil || s.keyEnter != nil {
		t.Fatalf("Esc in the form: submitted %d, open %v", submitted, overlays.Top() != nil)
	}
}

func TestPreferencesRemembered(t *testing.T) {
	c := newCity(t)
	deps, _ := testDeps(t)
	acc := c.account(assess.Reporter)
	s := loginShell(t, c, deps, acc)
	s.Show("feedback")
	s.Idle()
	s.win.Resize(fyne.NewSize(1200, 700))
	a := s.app
	s.Close()
	p := a.Preferences()
	if got := p.String(prefArea + string(assess.Reporter)); got != "feedback" {
		t.Fatalf("remembered area %q", got)
	}
	if w, h := p.Float(prefWidth), p.Float(prefHeight); w != 1200 || h != 700 {
		t.Fatalf("remembered size %vx%v", w, h)
	}
	if p.String(prefServer) != c.URL || p.String(prefUsername) != acc.Username {
		t.Fatalf("remembered server %q user %q", p.String(prefServer), p.String(prefUsername))
	}
	// The next start offers the same server and user and opens the same area.
	s2 := New(a, deps)
	t.Cleanup(func() { s2.Idle(); s2.Close() })
	if s2.login.server.Text != c.URL || s2.login.username.Text != acc.Username {
		t.Fatalf("login form %q %q", s2.login.server.Text, s2.login.username.Text)
	}
	if sz := s2.win.Canvas().Size(); sz.Width < 1100 {
		t.Fatalf("window size %v", sz)
	}
	test.Type(s2.login.password, acc.Password)
	test.Tap(s2.login.loginBtn)
	s2.Idle()
	if s2.Current() != "feedback" {
		t.Fatalf("opened %q after a restart", s2.Current())
	}
}
