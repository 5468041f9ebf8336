package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// lockedBuffer is a bytes.Buffer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serving is a run of the program in-process.
type serving struct {
	url    string
	stderr *lockedBuffer
	stop   context.CancelFunc
	done   chan int
}

// serve starts the program with args and returns once it has printed its URL.
func serve(t *testing.T, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &serving{stderr: &lockedBuffer{}, stop: cancel, done: make(chan int, 1)}
	go func() {
		code := run(ctx, args, pw, s.stderr)
		pw.Close()
		s.done <- code
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		cancel()
		t.Fatalf("no URL on stdout; exit code %d; stderr %q", <-s.done, s.stderr.String())
	}
	s.url = lines.Text()
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() {
		cancel()
	})
	return s
}

// wait stops the program and returns its exit code.
func (s *serving) wait() int {
	s.stop()
	return <-s.done
}

// client returns an SDK client for the served demo identities.
func client(t *testing.T, url, accessKey, secretKey, orgID, userID string) *batchprocessing.Client {
	t.Helper()
	c, err := batchprocessing.NewClient(url, accessKey, secretKey, batchprocessing.WithOrgID(orgID), batchprocessing.WithUserID(userID))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestServeDemoSeed(t *testing.T) {
	s := serve(t, "-addr", "127.0.0.1:0", "-v")
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || strings.HasSuffix(s.url, ":0") {
		t.Fatalf("URL %q", s.url)
	}
	c := client(t, s.url, refserver.DemoAccessKey, refserver.DemoSecretKey, refserver.DemoOrgID, refserver.DemoUserID)
	f, err := c.GetFlow(context.Background(), batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID})
	if err != nil || f.FlowName != "demo flow" {
		t.Fatalf("GetFlow: %+v, %v", f, err)
	}
	if code := s.wait(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	log := s.stderr.String()
	for _, want := range []string{"the demo seed", "msg=request method=GET path=/batch-processing-service/v2.1/flows action=get status=200 duration=", "refserver: stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, refserver.DemoSecretKey) {
		t.Errorf("stderr shows the SecretKey:\n%s", log)
	}
}

// TestRequestLogIsOneLinePerRequest sends paths and actions with encoded newlines: each
// request is still one line of the -v log, and the forged text stays inside a quoted value.
// The action is read as the gateway reads it, a ';' in it kept.
func TestRequestLogIsOneLinePerRequest(t *testing.T) {
	s := serve(t, "-addr", "127.0.0.1:0", "-v")
	for _, target := range []string{
		"/x%0AFORGED GET /batch-processing-service/v2.1/flows action=get 200",
		"/batch-processing-service/v2.1/flows?action=get%0D%0AFORGED%20line",
		"/%E2%80%A8FORGED\"quote",
		"/batch-processing-service/v2.1/flows?action=get;x", // read as the gateway reads it, ';' and all
	} {
		resp, err := http.Get(s.url + target)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if code := s.wait(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	requests := 0
	for _, line := range strings.Split(strings.TrimSuffix(s.stderr.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "refserver: "):
		case strings.HasPrefix(line, "time=") && strings.Contains(line, " msg=request "):
			requests++
		default:
			t.Errorf("a line that is no request's: %q", line)
		}
	}
	if requests != 4 {
		t.Errorf("%d request lines, want 4:\n%s", requests, s.stderr.String())
	}
	for _, want := range []string{`path="/x\nFORGED GET`, `action="get\r\nFORGED line"`, `path="/\u2028FORGED\"quote"`, ` action=get;x `} {
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, s.stderr.String())
		}
	}
}

// TestServeMaxInstances serves a flow of one task of a millisecond with -max-instances 2:
// once four instances have run, the first two are forgotten.
func TestServeMaxInstances(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(seed, []byte(`{"apps":[{"accessKey":"ak","secretKey":"sk"}],"users":[{"id":"u","orgs":["o"]}],
		"flows":[{"id":1,"name":"quick","org":"o","owner":"u","tasks":[{"id":11,"name":"t","durationMs":1}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := serve(t, "-addr", "127.0.0.1:0", "-seed", seed, "-max-instances", "2")
	c := client(t, s.url, "ak", "sk", "o", "u")
	ctx := context.Background()
	var ids []batchprocessing.FlowInstanceID
	for k := 4; k > 0; k-- {
		id, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 1, TriggerTime: time.Now().Add(-time.Duration(k) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		time.Sleep(50 * time.Millisecond) // it runs for a millisecond
	}
	time.Sleep(200 * time.Millisecond)
	for i, id := range ids {
		_, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
		if forgotten := errors.Is(err, batchprocessing.ErrInvalidParameter); forgotten != (i < 2) || (!forgotten && err != nil) {
			t.Errorf("instance %d (%s): %v", i, id, err)
		}
	}
	if code := s.wait(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
}

func TestServeSeedFile(t *testing.T) {
	s := serve(t, "-addr", "127.0.0.1:0", "-seed", "../../testdata/seed/example.json")
	c := client(t, s.url, "exampleAccessKey", "exampleSecretKey", "o15724268424841", "alice")
	tz, err := c.GetTimezone(context.Background())
	if err != nil || tz.Name != "GMT+8" {
		t.Errorf("timezone %+v, %v", tz, err)
	}
	if _, err := c.GetFlow(context.Background(), batchprocessing.FlowRequest{FlowID: 5002}); err != nil {
		t.Error(err)
	}
	if code := s.wait(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	if log := s.stderr.String(); !strings.Contains(log, "5 flows) in time zone GMT+8 at") || strings.Contains(log, "exampleSecretKey") {
		t.Errorf("stderr %q", log)
	}
}

// TestServeLocation: -location replaces the seed's time zone, in the answers and in the
// start message.
func TestServeLocation(t *testing.T) {
	s := serve(t, "-addr", "127.0.0.1:0", "-seed", "../../testdata/seed/example.json", "-location", "Asia/Kolkata")
	c := client(t, s.url, "exampleAccessKey", "exampleSecretKey", "o15724268424841", "alice")
	if tz, err := c.GetTimezone(context.Background()); err != nil || tz.Name != "GMT+5:30" {
		t.Errorf("timezone %+v, %v", tz, err)
	}
	if code := s.wait(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	if log := s.stderr.String(); !strings.Contains(log, "in time zone Asia/Kolkata at") {
		t.Errorf("the start message does not name the zone -location set: %q", log)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"flows":[{"id":1,"name":"f","org":"o","owner":"u","tasks":[{"id":2,"name":"t","duration":"soon"}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"-port", "80"}, exitUsage, "flag provided but not defined: -port"},
		{"argument", []string{"serve"}, exitUsage, `unexpected argument "serve"`},
		{"missing seed", []string{"-seed", filepath.Join(dir, "none.json")}, exitUsage, "no such file"},
		{"bad seed", []string{"-seed", bad}, exitUsage, `tasks[0] (id 2): duration "soon"`},
		{"address in use", []string{"-addr", busy.Addr().String()}, exitServe, "address already in use"},
		{"bad address", []string{"-addr", "nowhere"}, exitServe, "missing port"},
		{"no grace", []string{"-grace", "0s"}, exitUsage, "-grace 0s: want a positive duration"},
		{"negative timeout", []string{"-read-timeout", "-1s"}, exitUsage, "-read-timeout -1s: want a positive duration"},
		{"negative bound", []string{"-max-instances", "-1"}, exitUsage, "-max-instances -1: want 0 (no bound) or more"},
		{"bad location", []string{"-location", "GMT+25"}, exitUsage, `-location "GMT+25": bad UTC offset`},
		{"unknown location", []string{"-location", "Mars/Olympus"}, exitUsage, `-location "Mars/Olympus": unknown time zone`},
		{"a manual clock nothing moves", []string{"-clock", "manual", "-control=false"}, exitUsage, "-clock manual needs the control API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit code %d, want %d; stderr %q", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) || stdout.Len() != 0 {
				t.Errorf("stdout %q, stderr %q; want %q on stderr", stdout.String(), stderr.String(), tt.want)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"[::]:8080", "http://127.0.0.1:8080"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000"},
		{"[::1]:8080", "http://[::1]:8080"},
		{"192.0.2.7:80", "http://192.0.2.7:80"},
	}
	for _, tt := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := baseURL(addr); got != tt.want {
			t.Errorf("baseURL(%s) = %s, want %s", tt.addr, got, tt.want)
		}
	}
}

// TestRequestLogCarriesTheReason sends requests the server refuses, and one it serves: with
// -v, each refused request's log line ends with the reason X-Refserver-Reason gives, and the
// served one's has none.
func TestRequestLogCarriesTheReason(t *testing.T) {
	s := serve(t, "-addr", "127.0.0.1:0", "-v")
	send := func(method, target string, header http.Header) string {
		t.Helper()
		req, err := http.NewRequest(method, s.url+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get(refserver.HeaderReason)
	}
	unsigned := send(http.MethodGet, "/batch-processing-service/v2.1/time?action=getTimeZone", http.Header{"Apim-Accesstoken": {"x"}})
	noRoute := send(http.MethodGet, "/nowhere", nil)
	if unsigned != "missing header apim-timestamp, apim-signature" || !strings.HasPrefix(noRoute, "no EnOS route for GET") {
		t.Fatalf("reasons %q, %q", unsigned, noRoute)
	}
	send(http.MethodGet, "/_refserver/health", nil) // not an EnOS request: no reason
	if code := s.wait(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	lines := strings.Split(s.stderr.String(), "\n")
	wantLine := func(path, status, reason string) {
		t.Helper()
		for _, line := range lines {
			if strings.Contains(line, " path="+path+" ") {
				if !strings.Contains(line, " status="+status+" ") || !strings.HasSuffix(line, reason) {
					t.Errorf("log line %q, want status %s and it to end with %s", line, status, reason)
				}
				return
			}
		}
		t.Errorf("no log line for %s in\n%s", path, s.stderr.String())
	}
	wantLine("/batch-processing-service/v2.1/time", "401", ` reason="missing header apim-timestamp, apim-signature"`)
	wantLine("/nowhere", "404", ` reason="`+strings.ReplaceAll(noRoute, `"`, `\"`)+`"`)
	for _, line := range lines {
		if strings.Contains(line, "path=/_refserver/health") && strings.Contains(line, "reason=") {
			t.Errorf("a served request's line has a reason: %q", line)
		}
	}
}

// TestRequestLogOfFaults: the -v log has a line for a request whose connection an injected
// fault dropped, and for one whose client went away during an injected delay, each with
// status 0 (no answer was sent) and the reason; the request log of the control API has the
// second too.
func TestRequestLogOfFaults(t *testing.T) {
	s := serve(t, "-addr", "127.0.0.1:0", "-v")
	arm := func(fault string) {
		t.Helper()
		resp, err := http.Post(s.url+"/_refserver/faults", "application/json", strings.NewReader(fault))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("arming %s: %v %v", fault, resp, err)
		}
		resp.Body.Close()
	}
	arm(`{"method":"GET","path":"/batch-processing-service/v2.1/time","action":"getTimeZone","times":1,"dropAfterProcessing":true}`)
	arm(`{"method":"GET","path":"/batch-processing-service/v2.1/flows","action":"get","times":1,"delay":"10m"}`)
	if resp, err := http.Get(s.url + "/batch-processing-service/v2.1/time?action=getTimeZone"); err == nil {
		resp.Body.Close()
		t.Fatalf("the dropped request was answered %s", resp.Status)
	}
	impatient := &http.Client{Timeout: 100 * time.Millisecond}
	if resp, err := impatient.Get(s.url + "/batch-processing-service/v2.1/flows?action=get"); err == nil {
		resp.Body.Close()
		t.Fatalf("the delayed request was answered %s", resp.Status)
	}
	var logged []refserver.Request
	for deadline := time.Now().Add(10 * time.Second); len(logged) < 2 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(s.url + "/_refserver/requests")
		if err != nil {
			t.Fatal(err)
		}
		logged = nil
		if err := json.NewDecoder(resp.Body).Decode(&logged); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(logged) != 2 || logged[1].Status != 0 || !strings.Contains(logged[1].Reason, "went away during the delay of 10m0s") {
		t.Errorf("request log %+v, want the delayed request with status 0 and why", logged)
	}
	if code := s.wait(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	for _, want := range []string{
		`path=/batch-processing-service/v2.1/time action=getTimeZone status=0 `,
		`reason="injected fault: served, then the connection dropped unanswered"`,
		`path=/batch-processing-service/v2.1/flows action=get status=0 `,
		`reason="injected fault: the client went away during the delay of 10m0s, before any answer"`,
	} {
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, s.stderr.String())
		}
	}
}

// deadlineWriter is a ResponseWriter whose connection takes read deadlines.
type deadlineWriter struct {
	http.ResponseWriter
	set time.Time
}

func (w *deadlineWriter) SetReadDeadline(t time.Time) error {
	w.set = t
	return nil
}

// TestStatusRecorderReachesTheConnection: the -v log's writer lets the handler set the
// connection's read deadline (the reference server bounds the drain of a refused large
// body with it), as the writer it wraps does.
func TestStatusRecorderReachesTheConnection(t *testing.T) {
	t.Parallel()
	w := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
	at := time.Now().Add(5 * time.Second)
	if err := http.NewResponseController(&statusRecorder{ResponseWriter: w}).SetReadDeadline(at); err != nil || !w.set.Equal(at) {
		t.Errorf("SetReadDeadline through the recorder: %v, deadline %v", err, w.set)
	}
}

// TestDocListsEveryFlag checks that the command's doc comment (main.go) lists every flag
// that -h prints, so that the two cannot drift apart.
func TestDocListsEveryFlag(t *testing.T) {
	t.Parallel()
	var usage bytes.Buffer
	if _, code, ok := parseFlags([]string{"-h"}, &usage); ok || code != exitOK {
		t.Fatalf("-h: ok %v, code %d", ok, code)
	}
	doc, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage.String(), -1)
	if len(flags) < 10 {
		t.Fatalf("found %d flags in the usage:\n%s", len(flags), usage.String())
	}
	for _, f := range flags {
		if !regexp.MustCompile(`(?m)^//\t-` + regexp.QuoteMeta(f[1]) + `\b`).Match(doc) {
			t.Errorf("main.go's doc comment does not list -%s", f[1])
		}
	}
}
