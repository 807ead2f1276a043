package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// DefaultTimeout bounds one JSON request when Options.Timeout is zero.
// Evidence transfers are bounded by their context only.
const DefaultTimeout = 60 * time.Second

// Options configures an API client.
type Options struct {
	// CAFile is a PEM file of certificate authorities to trust in addition
	// to the system pool, for servers on a government intranet whose
	// certificates come from the government's own CA.
	CAFile string
	// Timeout bounds each JSON request; zero means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient replaces the HTTP client (tests use it to inject faults).
	// Its Timeout is ignored: JSON requests use Timeout, transfers none.
	HTTPClient *http.Client
	// UserAgent is sent with every request.
	UserAgent string
}

// API talks to the central server: the JSON API through resty, evidence
// transfers through a plain http.Client that streams. It is safe for
// concurrent use.
type API struct {
	base *url.URL
	rc   *resty.Client
	raw  *http.Client // transfers: no overall timeout, the context decides
	ua   string

	mu    sync.RWMutex
	token string
}

// New returns a client of the server at baseURL (e.g.
// "https://fzzf.example.gov.cn:8443").
func New(baseURL string, opts Options) (*API, error) {
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, err
	}
	var rt http.RoundTripper
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		rt = opts.HTTPClient.Transport
	}
	if opts.CAFile != "" {
		pool, err := loadCAFile(opts.CAFile)
		if err != nil {
			return nil, err
		}
		switch t := rt.(type) {
		case nil:
			tr := newTransport()
			tr.TLSClientConfig.RootCAs = pool
			rt = tr
		case *http.Transport:
			t = t.Clone()
			if t.TLSClientConfig == nil {
				t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			}
			t.TLSClientConfig.RootCAs = pool
			rt = t
		default:
			return nil, fmt.Errorf("client: a CA file needs an *http.Transport, have %T", rt)
		}
	}
	if rt == nil {
		rt = newTransport()
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	jsonClient := &http.Client{Transport: rt, Timeout: timeout}
	raw := &http.Client{Transport: rt}
	if opts.HTTPClient != nil {
		jsonClient.Jar, raw.Jar = opts.HTTPClient.Jar, opts.HTTPClient.Jar
		jsonClient.CheckRedirect, raw.CheckRedirect = opts.HTTPClient.CheckRedirect, opts.HTTPClient.CheckRedirect
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "yiwangtong"
	}
	rc := resty.NewWithClient(jsonClient).
		SetLogger(quietLogger{}).
		SetDisableWarn(true).
		SetHeader("User-Agent", ua).
		SetHeader("Accept", "application/json")
	return &API{base: base, rc: rc, raw: raw, ua: ua}, nil
}

func parseBase(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, assess.Errorf(assess.EInvalid, "服务器地址“%s”不正确，应形如 https://服务器:端口 (server URL must look like https://host:port)", s)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// newTransport is the default transport: the system proxies and CA pool,
// large write buffers so evidence streams at disk speed.
func newTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.WriteBufferSize = 256 << 10
	tr.ReadBufferSize = 256 << 10
	tr.MaxIdleConnsPerHost = 4
	return tr
}

// loadCAFile returns the system pool plus the certificates in file.
func loadCAFile(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, assess.Errorf(assess.EInvalid, "无法读取 CA 证书文件“%s”，请检查路径 (cannot read the CA file): %v", file, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, assess.Errorf(assess.EInvalid, "CA 证书文件“%s”中没有 PEM 格式的证书，请向管理员索取正确的证书文件 (no PEM certificate in the CA file)", file)
	}
	return pool, nil
}

// quietLogger drops resty's own log lines, which could otherwise reveal
// request details.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// BaseURL returns the server address the client talks to.
func (a *API) BaseURL() string { return a.base.String() }

// SetToken sets the bearer token sent with every request; "" clears it.
func (a *API) SetToken(token string) {
	a.mu.Lock()
	a.token = token
	a.mu.Unlock()
}

// Token returns the bearer token in use.
func (a *API) Token() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.token
}

// url returns the absolute URL of an API path.
func (a *API) url(path string) string {
	u := *a.base
	u.Path = a.base.Path + path
	return u.String()
}

// request starts a JSON request with the context and the token.
func (a *API) request(ctx context.Context) *resty.Request {
	r := a.rc.R().SetContext(ctx)
	if t := a.Token(); t != "" {
		r.SetAuthToken(t)
	}
	return r
}

// do sends a JSON request and decodes a 2xx body into out (when not nil).
func (a *API) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	r := a.request(ctx)
	if query != nil {
		r.SetQueryParamsFromValues(query)
	}
	if in != nil {
		r.SetHeader("Content-Type", "application/json").SetBody(in)
	}
	resp, err := r.Execute(method, a.url(path))
	if err != nil {
		return networkError(ctx, err)
	}
	if resp.StatusCode() < 200 || resp.StatusCode() > 299 {
		return statusError(resp.StatusCode(), resp.Header(), resp.Body())
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Body(), out); err != nil {
		return assess.Errorf(assess.EInternal, "服务器的应答无法识别，请确认服务器地址是否正确 (unreadable server answer): %v", err)
	}
	return nil
}

// Login signs in and, on success, uses the returned token from then on.
func (a *API) Login(ctx context.Context, username, password string) (wire.LoginResponse, error) {
	var out wire.LoginResponse
	err := a.do(ctx, http.MethodPost, wire.LoginPath, nil, wire.LoginRequest{Username: username, Password: password}, &out)
	if err != nil {
		return wire.LoginResponse{}, err
	}
	a.SetToken(out.Token)
	return out, nil
}

// Logout ends the session on the server and forgets the token. The token is
// forgotten even when the server cannot be reached.
func (a *API) Logout(ctx context.Context) error {
	err := a.do(ctx, http.MethodPost, wire.LogoutPath, nil, nil, nil)
	a.SetToken("")
	return err
}

// Me returns the logged-in user.
func (a *API) Me(ctx context.Context) (assess.User, error) {
	var u assess.User
	err := a.do(ctx, http.MethodGet, wire.MePath, nil, nil, &u)
	return u, err
}

// ChangePassword replaces the logged-in user's password. The server ends
// every session of the user and answers with a new one, which the API adopts.
func (a *API) ChangePassword(ctx context.Context, oldPassword, newPassword string) (wire.LoginResponse, error) {
	var out wire.LoginResponse
	if err := a.do(ctx, http.MethodPost, wire.PasswordPath, nil, wire.PasswordRequest{Old: oldPassword, New: newPassword}, &out); err != nil {
		return wire.LoginResponse{}, err
	}
	a.SetToken(out.Token)
	return out, nil
}

// Push sends a batch of changes and returns one result per change, in order.
func (a *API) Push(ctx context.Context, changes []wire.Change) ([]wire.Result, error) {
	var out wire.PushResponse
	if err := a.do(ctx, http.MethodPost, wire.PushPath, nil, wire.PushRequest{Changes: changes}, &out); err != nil {
		return nil, err
	}
	if len(out.Results) != len(changes) {
		return nil, assess.Errorf(assess.EInternal, "服务器返回的处理结果数量（%d）与提交的变更数量（%d）不符 (result count mismatch)", len(out.Results), len(changes))
	}
	return out.Results, nil
}

// Changes returns a page of the change feed after the cursor; limit 0 lets
// the server choose the page size.
func (a *API) Changes(ctx context.Context, after int64, limit int) (wire.ChangesResponse, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out wire.ChangesResponse
	err := a.do(ctx, http.MethodGet, wire.ChangesPath, q, nil, &out)
	return out, err
}

// VerifyAudit asks the server to walk its audit chain.
func (a *API) VerifyAudit(ctx context.Context) (wire.AuditReport, error) {
	var out wire.AuditReport
	err := a.do(ctx, http.MethodGet, wire.AuditPath, nil, nil, &out)
	return out, err
}

// AuditEvents returns a page of the server's audit log (reviewers): the
// events after seq after whose time falls within the days from through to
// (only their dates in China Standard Time count; to is included; a zero
// time leaves that end open), in sequence order. limit 0 lets the server
// choose the page size.
func (a *API) AuditEvents(ctx context.Context, from, to time.Time, after int64, limit int) (wire.AuditEventsResponse, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if !from.IsZero() {
		q.Set("from", from.In(assess.CST).Format(time.DateOnly))
	}
	if !to.IsZero() {
		q.Set("to", to.In(assess.CST).Format(time.DateOnly))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out wire.AuditEventsResponse
	err := a.do(ctx, http.MethodGet, wire.AuditEventsPath, q, nil, &out)
	return out, err
}

// AuditLog returns every event of the server's audit log within the days
// from through to (as AuditEvents), fetching page after page of pageSize
// events (0: the server's page size).
func (a *API) AuditLog(ctx context.Context, from, to time.Time, pageSize int) ([]wire.AuditEvent, error) {
	var all []wire.AuditEvent
	after := int64(0)
	for {
		page, err := a.AuditEvents(ctx, from, to, after, pageSize)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Events...)
		if !page.More {
			return all, nil
		}
		if page.Next <= after {
			return nil, assess.Errorf(assess.EInternal, "服务器返回的审计日志分页游标没有前进（%d），请联系管理员 (the audit log cursor did not advance)", page.Next)
		}
		after = page.Next
	}
}

// Health reports whether the server answers its readiness probe.
func (a *API) Health(ctx context.Context) error {
	resp, err := a.rc.R().SetContext(ctx).Get(a.url(wire.HealthPath))
	if err != nil {
		return networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return statusError(resp.StatusCode(), resp.Header(), resp.Body())
	}
	return nil
}

// newRaw builds a request for a transfer, with the token and user agent.
func (a *API) newRaw(ctx context.Context, method, target string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, fmt.Errorf("build %s request: %w", method, err)
	}
	req.Header.Set("User-Agent", a.ua)
	if t := a.Token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	return req, nil
}
