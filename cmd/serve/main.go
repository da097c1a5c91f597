// Command serve serves a built Ringlab site (dist/) on the loopback interface, as a static host
// would, with nothing but the Go standard library:
//
//	go run ./cmd/serve -dir dist -port 8080
//
// The port defaults to $PORT, then 8080. `make serve` builds the site and runs this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/ringlab/ringlab/cmd/serve/site"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status (0 after a clean stop, 1 when
// serving fails, 2 for a usage error).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "dist", "`folder` of the built site (make dist writes dist/)")
	host := fs.String("host", "127.0.0.1", "`address` to listen on; the default keeps the server private to this machine")
	defaultPort := getenv("PORT")
	if defaultPort == "" {
		defaultPort = "8080"
	}
	portFlag := fs.String("port", defaultPort, "TCP `port` (default $PORT, then 8080); 0 picks a free one")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: serve [-dir folder] [-host address] [-port port]\n\nServes a built Ringlab site over HTTP.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q (flags only; see -help)\n", fs.Arg(0))
		return 2
	}
	port, err := parsePort(*portFlag)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}

	root := os.DirFS(*dir)
	if err := site.CheckRoot(root); err != nil {
		if errors.Is(err, site.ErrNoIndex) {
			fmt.Fprintf(stderr, "serve: %s has no index.html: build the site first with `make dist`\n", *dir)
		} else {
			fmt.Fprintf(stderr, "serve: cannot read %s: %v\n", *dir, err)
		}
		return 1
	}

	addr := net.JoinHostPort(*host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "serve: cannot listen on %s: %v\n", addr, err)
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "serve: another program uses port %d; choose another, e.g. make serve PORT=%d\n", port, port+1)
		}
		return 1
	}
	srv := &http.Server{
		Handler:           site.Handler(root),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(stdout, "Serving %s on http://%s/ (Ctrl+C to stop)\n", *dir, ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "serve: shutdown: %v\n", err)
		return 1
	}
	return 0
}

// parsePort reads a TCP port number; 0 asks the system for a free port.
func parsePort(s string) (int, error) {
	port, err := strconv.Atoi(s)
	if err != nil || port < 0 || port > 65535 {
		return 0, fmt.Errorf("port must be a number from 0 to 65535, got %q", s)
	}
	return port, nil
}
