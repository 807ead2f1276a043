package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/yiwangtong/yiwangtong/sync/server"
)

// shutdownGrace is how long requests in flight get to finish after SIGINT
// or SIGTERM.
const shutdownGrace = 30 * time.Second

// serve runs the server until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) int {
	flags := newFlags("serve", stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "监听地址 (listen address) HOST:PORT")
	data := flags.String("data", "", "数据目录 (data folder)")
	cert := flags.String("cert", "", "TLS 证书文件，PEM (TLS certificate)")
	key := flags.String("key", "", "TLS 私钥文件，PEM (TLS private key)")
	ttl := flags.Duration("session-ttl", server.DefaultSessionTTL, "登录有效期 (session lifetime)")
	if !parse(flags, args, stderr, map[string]*string{"data": data}) {
		return exitUsage
	}
	if (*cert == "") != (*key == "") {
		fmt.Fprintln(stderr, "--cert 和 --key 需要同时给出 (--cert and --key go together)")
		return exitUsage
	}
	if *ttl < time.Minute {
		fmt.Fprintln(stderr, "--session-ttl 至少为 1 分钟 (--session-ttl must be at least 1m)")
		return exitUsage
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))

	var tlsConfig *tls.Config
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return fail(stderr, fmt.Errorf("读取证书或私钥失败 (load the certificate and key): %w", err))
		}
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}
	}
	store, err := openStore(*data, true)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	blobs, err := server.NewDirBlobs(filepath.Join(*data, evidenceDir))
	if err != nil {
		return fail(stderr, err)
	}
	srv, err := server.New(server.Config{
		Store:      store,
		Blobs:      blobs,
		DataDir:    filepath.Join(*data, uploadsDir),
		Logger:     log,
		SessionTTL: *ttl,
	})
	if err != nil {
		return fail(stderr, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(stderr, fmt.Errorf("无法监听 %s (listen): %w", *addr, err))
	}
	hs := &http.Server{
		Handler:           srv,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	log.Info("listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "data", *data, "version", version())

	select {
	case err := <-errc:
		return fail(stderr, fmt.Errorf("服务意外停止 (the server stopped): %w", err))
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "error", err.Error())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("serve", "error", err.Error())
	}
	log.Info("stopped")
	return exitOK
}
