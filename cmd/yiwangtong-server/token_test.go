package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// samplePath is the documented sample batch of the lead-import API.
var samplePath = filepath.Join("..", "..", "docs", "leads-sample.json")

// call sends a JSON request to a served API with a bearer token and returns
// the status and body.
func call(t *testing.T, method, url, token string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func TestTokenCommand(t *testing.T) {
	data := t.TempDir()
	r := runCmd(t, "", "demo", "--data", data, "--year", "2026")
	if r.code != exitOK {
		t.Fatalf("demo: %s", r.stderr)
	}
	reviewer := credentials(t, r.stdout)["shenhe1"]
	if r := runCmd(t, "", "user", "add", "--data", data, "--username", "rexian", "--name", "12345热线数据接口", "--role", "service"); r.code != exitOK {
		t.Fatalf("user add: %s", r.stderr)
	}

	// Only an existing, enabled service account gets a token.
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--username", "dongchengqu"}, exitFail, "只能为接口账号"},
		{[]string{"--username", "shenhe1"}, exitFail, "审核用户"},
		{[]string{"--username", "nobody"}, exitFail, "不存在"},
		{[]string{"--username", "rexian", "--days", "0"}, exitUsage, "--days"},
		{[]string{"--username", "rexian", "--days", "4000"}, exitUsage, "--days"},
		{[]string{}, exitUsage, "--username"},
	} {
		r := runCmd(t, "", append([]string{"token", "--data", data}, tc.args...)...)
		if r.code != tc.code || r.stdout != "" || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("token %v: %d %q %q, want %d mentioning %q", tc.args, r.code, r.stdout, r.stderr, tc.code, tc.says)
		}
	}
	if r := runCmd(t, "", "token", "--data", t.TempDir(), "--username", "rexian"); r.code != exitFail || !strings.Contains(r.stderr, "没有数据库") {
		t.Errorf("token without a database: %d %q", r.code, r.stderr)
	}

	// The token is printed once, alone on stdout; the store keeps its hash.
	issued := time.Now()
	r = runCmd(t, "", "token", "--data", data, "--user", "rexian", "--days", "30")
	done := time.Now()
	if r.code != exitOK {
		t.Fatalf("token: %d %s", r.code, r.stderr)
	}
	tok := strings.TrimSuffix(r.stdout, "\n")
	if len(tok) != 43 || strings.ContainsAny(tok, " \t\n") || !strings.Contains(r.stderr, "只显示这一次") {
		t.Fatalf("token output %q, %q", r.stdout, r.stderr)
	}
	sum := sha256.Sum256([]byte(tok))
	st := openData(t, data)
	sess, u, err := st.Session(context.Background(), hex.EncodeToString(sum[:]), done)
	if err != nil {
		t.Fatalf("the printed token has no session: %v", err)
	}
	if u.Username != "rexian" || u.Role != assess.Service {
		t.Errorf("the token belongs to %+v", u)
	}
	const days30 = 30 * 24 * time.Hour
	if sess.ExpiresAt.Before(issued.Add(days30).Truncate(time.Second)) || sess.ExpiresAt.After(done.Add(days30)) {
		t.Errorf("--days 30: the token expires at %s, issued between %s and %s", sess.ExpiresAt, issued, done)
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Join(data, "server.db") + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(tok)) {
			t.Errorf("server.db%s holds the token itself", suffix)
		}
	}

	// Another system posts the documented sample batch with the token.
	base := "http://" + serving(t, "--data", data)
	sample, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	var batch wire.LeadBatch
	dec := json.NewDecoder(bytes.NewReader(sample))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&batch); err != nil || len(batch.Leads) < 5 {
		t.Fatalf("%s is not a lead batch of every source: %v", samplePath, err)
	}
	sources := map[assess.LeadSource]bool{}
	for _, l := range batch.Leads {
		sources[l.Source] = true
	}
	if len(sources) != len(assess.LeadSources) {
		t.Errorf("the sample has %d of the %d sources", len(sources), len(assess.LeadSources))
	}
	post := func(body []byte) (int, wire.LeadImportResponse, wire.Error) {
		t.Helper()
		status, out := call(t, http.MethodPost, base+wire.LeadsPath, tok, body)
		var resp wire.LeadImportResponse
		var we wire.Error
		if status == http.StatusOK {
			err = json.Unmarshal(out, &resp)
		} else {
			err = json.Unmarshal(out, &we)
		}
		if err != nil {
			t.Fatalf("answer %d %s: %v", status, out, err)
		}
		return status, resp, we
	}
	want := func(resp wire.LeadImportResponse, status string) bool {
		if len(resp.Results) != len(batch.Leads) {
			return false
		}
		for i, res := range resp.Results {
			l := batch.Leads[i]
			if res.Status != status || res.RecordID != l.RecordID || res.ID != assess.LeadID(l.Source, l.RecordID) {
				return false
			}
		}
		return true
	}
	status, resp, we := post(sample)
	if status != http.StatusOK || resp.Created != len(batch.Leads) || !want(resp, wire.LeadCreated) {
		t.Fatalf("the sample: %d %+v %+v", status, resp, we)
	}
	status, resp, we = post(sample)
	if status != http.StatusOK || resp.Unchanged != len(batch.Leads) || resp.Created+resp.Updated != 0 || !want(resp, wire.LeadUnchanged) {
		t.Fatalf("the sample again: %d %+v %+v", status, resp, we)
	}

	// A lead for a unit that does not exist: the batch is refused with a
	// message naming the lead, and nothing of it is stored.
	login, _ := json.Marshal(wire.LoginRequest{Username: reviewer[0], Password: reviewer[3]})
	code, out := call(t, http.MethodPost, base+wire.LoginPath, "", login)
	var lr wire.LoginResponse
	if code != http.StatusOK || json.Unmarshal(out, &lr) != nil {
		t.Fatalf("reviewer login: %d %s", code, out)
	}
	storedLeads := func() map[string]assess.Lead {
		t.Helper()
		code, out := call(t, http.MethodGet, base+wire.ChangesPath+"?limit=10000", lr.Token, nil)
		var feed wire.ChangesResponse
		if code != http.StatusOK || json.Unmarshal(out, &feed) != nil || feed.More {
			t.Fatalf("changes: %d %.200s", code, out)
		}
		stored := map[string]assess.Lead{}
		for _, en := range feed.Entries {
			if en.Entity == wire.EntityLead {
				var l assess.Lead
				if err := json.Unmarshal(en.Data, &l); err != nil {
					t.Fatal(err)
				}
				stored[l.ID] = l
			}
		}
		return stored
	}
	before := storedLeads()
	for _, l := range batch.Leads {
		if got := before[assess.LeadID(l.Source, l.RecordID)]; got.UnitID != l.UnitID || got.Summary != l.Summary || got.ImportedBy != "u-rexian" {
			t.Errorf("the server holds sample lead %s as %+v", l.RecordID, got)
		}
	}
	bad := batch
	bad.Leads = append([]wire.LeadRecord{}, batch.Leads...)
	bad.Leads[0].Summary += "（二审维持）"
	bad.Leads[2].UnitID = "nanhuqu"
	extra := wire.LeadRecord{Source: assess.LeadHotline, RecordID: "12345-20260509-0001", UnitID: "gaoxin", Date: "2026-05-09", Summary: "市民反映高新区某审批事项超期。"}
	bad.Leads = append(bad.Leads, extra)
	body, _ := json.Marshal(bad)
	status, _, we = post(body)
	wantMsg := "第 3 条线索（记录编号 " + batch.Leads[2].RecordID + "）：单位“nanhuqu”不存在，请核对单位编号"
	if status != http.StatusBadRequest || we.Code != assess.EInvalid || !strings.HasPrefix(we.Message, wantMsg) {
		t.Errorf("unknown unit: %d %+v, want 400 %q", status, we, wantMsg)
	}
	after := storedLeads()
	if !reflect.DeepEqual(after, before) {
		t.Errorf("the refused batch changed the server's leads:\n%+v\nwas\n%+v", after, before)
	}
	if _, ok := after[assess.LeadID(extra.Source, extra.RecordID)]; ok {
		t.Error("the refused batch's new lead was stored")
	}

	// The token opens nothing but the import.
	if code, out := call(t, http.MethodGet, base+wire.ChangesPath, tok, nil); code != http.StatusForbidden {
		t.Errorf("the service token pulls the feed: %d %s", code, out)
	}
}
