// Package ui is the desktop client's window: the login screen and, per role,
// the function areas of the Zibo system in their order — for 填报用户 首页,
// 指标填报, 反馈报告, 第三方评估, 系统管理; for 审核用户 首页, 指标管理,
// 指标审核, 反馈报告, 第三方评估, 数据下载, 系统管理 — with a sync status
// bar. One file per area; every area reads and writes the local store, so
// everything but logging in works offline. Background work touches widgets
// only through fyne.DoAndWait.
package ui

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// Preference keys.
const (
	prefLanguage = "language"
	prefServer   = "server"
	prefUsername = "username"
	prefWidth    = "window.width"
	prefHeight   = "window.height"
	prefArea     = "area." // + role
	prefStarted  = "started"
)

// area is one function area's screen.
type area interface {
	// view returns the area's content, built once.
	view() fyne.CanvasObject
	// refresh reloads what the area shows from the store; it is called
	// on the UI goroutine when the area is shown and after data changed.
	refresh()
}

// saver is an area with a draft that Ctrl+S saves.
type saver interface{ save() }

// areaSpec describes a function area in the navigation.
type areaSpec struct {
	key   string               // preference and test name, e.g. "filing"
	title string               // the Chinese name, a T key
	icon  func() fyne.Resource // looked up when drawn: the theme needs a running app
	role  assess.Role
	make  func(s *Shell) area
}

// areaSpecs lists the areas of both roles, each role's in the order of the
// Zibo system.
var areaSpecs = []areaSpec{
	{"home", "首页", theme.HomeIcon, assess.Reporter, newReporterHome},
	{"filing", "指标填报", theme.DocumentCreateIcon, assess.Reporter, newFiling},
	{"feedback", "反馈报告", theme.FileTextIcon, assess.Reporter, newFeedback},
	{"external", "第三方评估", theme.GridIcon, assess.Reporter, newExternal},
	{"settings", "系统管理", theme.SettingsIcon, assess.Reporter, newSettings},

	{"home", "首页", theme.HomeIcon, assess.Reviewer, newReviewerHome},
	{"indicators", "指标管理", theme.ListIcon, assess.Reviewer, newIndicators},
	{"review", "指标审核", theme.ConfirmIcon, assess.Reviewer, newReview},
	{"leads", "督察线索", theme.WarningIcon, assess.Reviewer, newLeads},
	{"feedback", "反馈报告", theme.FileTextIcon, assess.Reviewer, newFeedback},
	{"external", "第三方评估", theme.GridIcon, assess.Reviewer, newExternal},
	{"download", "数据下载", theme.DownloadIcon, assess.Reviewer, newDownload},
	{"settings", "系统管理", theme.SettingsIcon, assess.Reviewer, newSettings},
}

// label returns the area's name in the chosen language.
func (sp areaSpec) label() string {
	switch sp.title {
	case "首页":
		return T("首页")
	case "指标填报":
		return T("指标填报")
	case "反馈报告":
		return T("反馈报告")
	case "第三方评估":
		return T("第三方评估")
	case "系统管理":
		return T("系统管理")
	case "指标管理":
		return T("指标管理")
	case "指标审核":
		return T("指标审核")
	case "数据下载":
		return T("数据下载")
	case "督察线索":
		return T("督察线索")
	}
	return sp.title
}

// Shell is the client's window and the state every area shares: the user,
// the year, the server connection and the syncer.
type Shell struct {
	app  fyne.App
	win  fyne.Window
	deps Deps

	ctx     context.Context
	cancel  context.CancelFunc
	busy    sync.WaitGroup // background work in flight
	uiMu    sync.Mutex
	uiQueue []func()

	user    assess.User
	years   []assess.Year
	year    assess.Year
	api     *client.API
	syncer  *client.Syncer
	looping bool // the syncer's background loop runs
	demo    *DemoCity

	units  map[string]assess.Unit
	groups map[string]assess.Group

	keyEnter, keyEsc func()        // the shown dialog's Enter and Esc
	dialogErr        *widget.Label // the shown form dialog's error line
	login            *loginView
	closed           bool

	specs   []areaSpec
	areas   map[string]area
	dirty   map[string]bool
	current string
	nav     *widget.List
	body    *fyne.Container
	header  *header
	status  *statusBar
}

// New makes the client's window in a, showing the login screen. Call
// ShowAndRun (or, in tests, drive it and call Close).
func New(a fyne.App, deps Deps) *Shell {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Shell{app: a, deps: deps, ctx: ctx, cancel: cancel}
	if err := SetLanguage(a.Preferences().StringWithFallback(prefLanguage, LangChinese)); err != nil {
		fyne.LogError("language", err)
	}
	a.Settings().SetTheme(NewTheme())
	a.SetIcon(appIcon)
	s.win = a.NewWindow(T("一网通 · 法治政府建设督察考核"))
	s.win.SetIcon(appIcon)
	p := a.Preferences()
	s.win.Resize(fyne.NewSize(float32(p.FloatWithFallback(prefWidth, 1280)), float32(p.FloatWithFallback(prefHeight, 760))))
	s.win.SetMaster()
	s.win.SetCloseIntercept(func() { s.Close() })
	s.showLogin()
	return s
}

// Window returns the client's window.
func (s *Shell) Window() fyne.Window { return s.win }

// ShowAndRun shows the window and runs the application until it quits.
func (s *Shell) ShowAndRun() { s.win.ShowAndRun() }

// Close stops the background sync, remembers the window size and closes
// the window. Closing twice does nothing more.
func (s *Shell) Close() {
	if s.closed {
		return
	}
	s.closed = true
	sz := s.win.Canvas().Size()
	if sz.Width > 200 && sz.Height > 200 {
		s.app.Preferences().SetFloat(prefWidth, float64(sz.Width))
		s.app.Preferences().SetFloat(prefHeight, float64(sz.Height))
	}
	s.stopSession()
	s.cancel()
	s.win.Close()
}

// stopSession ends the background sync and the demo server, if any.
func (s *Shell) stopSession() {
	if s.syncer != nil {
		s.syncer.Stop()
		s.syncer = nil
	}
	s.looping = false
	s.api = nil
	if s.demo != nil {
		if err := s.demo.Close(); err != nil {
			fyne.LogError("demo server", err)
		}
		s.demo = nil
	}
}

// showMain replaces the login screen with the areas of the user's role.
func (s *Shell) showMain() {
	s.specs = nil
	for _, sp := range areaSpecs {
		if sp.role == s.user.Role {
			s.specs = append(s.specs, sp)
		}
	}
	s.areas = map[string]area{}
	s.dirty = map[string]bool{}
	s.nav = widget.NewList(
		func() int { return len(s.specs) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("指标填报指标"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Icon).SetResource(s.specs[id].icon())
			box.Objects[1].(*widget.Label).SetText(s.specs[id].label())
		},
	)
	s.nav.OnSelected = func(id widget.ListItemID) { s.show(s.specs[id].key) }
	s.body = container.NewStack()
	s.header = newHeader(s)
	if s.status == nil {
		s.status = newStatusBar(s)
	}
	split := container.NewHSplit(s.nav, s.body)
	split.Offset = 0.14
	s.win.SetContent(container.NewBorder(s.header.view(), s.status.view(), nil, nil, split))
	s.win.SetMainMenu(s.mainMenu())
	s.addShortcuts()
	s.win.SetOnDropped(s.onDropped)
	last := s.app.Preferences().StringWithFallback(prefArea+string(s.user.Role), "home")
	if !s.hasArea(last) {
		last = "home"
	}
	s.show(last)
	s.loadRefs()
	s.status.refresh()
}

func (s *Shell) hasArea(key string) bool {
	for _, sp := range s.specs {
		if sp.key == key {
			return true
		}
	}
	return false
}

// show switches to the area key, building it the first time.
func (s *Shell) show(key string) {
	var spec *areaSpec
	idx := -1
	for i := range s.specs {
		if s.specs[i].key == key {
			spec, idx = &s.specs[i], i
		}
	}
	if spec == nil {
		return
	}
	a, ok := s.areas[key]
	if !ok {
		a = spec.make(s)
		s.areas[key] = a
		s.dirty[key] = true
	}
	s.current = key
	s.body.Objects = []fyne.CanvasObject{a.view()}
	s.body.Refresh()
	if s.dirty[key] {
		s.dirty[key] = false
		a.refresh()
	}
	s.app.Preferences().SetString(prefArea+string(s.user.Role), key)
	s.nav.OnSelected = nil
	s.nav.Select(idx)
	s.nav.OnSelected = func(id widget.ListItemID) { s.show(s.specs[id].key) }
}

// Current returns the key of the area shown.
func (s *Shell) Current() string { return s.current }

// Areas returns the keys of the areas the user's role sees, in order.
func (s *Shell) Areas() []string {
	keys := make([]string, len(s.specs))
	for i, sp := range s.specs {
		keys[i] = sp.key
	}
	return keys
}

// Show switches to the area key; unknown keys and areas of the other role
// are ignored.
func (s *Shell) Show(key string) { s.show(key) }

// changed tells every area that the data changed: the one shown reloads
// now, the others when next shown; the status bar recounts the outbox.
func (s *Shell) changed() {
	for key, a := range s.areas {
		if key == s.current {
			a.refresh()
		} else {
			s.dirty[key] = true
		}
	}
	if s.header != nil {
		s.header.refresh()
	}
	if s.status != nil {
		s.status.refresh()
	}
}

// wrote is called after a local write: the areas reload and a sync is
// asked for, so the change goes out as soon as the server can be reached.
func (s *Shell) wrote() {
	s.changed()
	if s.syncer != nil {
		s.syncer.Trigger()
	}
}

// rebuild drops every built area (after a language switch) and shows the
// current one again.
func (s *Shell) rebuild() {
	cur := s.current
	s.win.SetTitle(T("一网通 · 法治政府建设督察考核"))
	s.status = nil
	s.showMain()
	s.show(cur)
}

func (s *Shell) mainMenu() *fyne.MainMenu {
	save := fyne.NewMenuItem(T("保存草稿"), func() { s.saveCurrent() })
	save.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	syncNow := fyne.NewMenuItem(T("立即同步"), func() { s.SyncNow() })
	logout := fyne.NewMenuItem(T("退出登录"), func() { s.logout() })
	file := fyne.NewMenu(T("文件"), save, syncNow, fyne.NewMenuItemSeparator(), logout)
	about := fyne.NewMenuItem(T("关于一网通"), func() { s.about() })
	return fyne.NewMainMenu(file, fyne.NewMenu(T("帮助"), about))
}

// addShortcuts binds Ctrl+S to the shown area's save, also when no widget
// has the focus.
func (s *Shell) addShortcuts() {
	sc := &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	s.win.Canvas().RemoveShortcut(sc)
	s.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { s.saveCurrent() })
}

func (s *Shell) saveCurrent() {
	if a, ok := s.areas[s.current].(saver); ok {
		a.save()
	}
}
