// The Go crypto/tls client of the client-selection tests (tests/integration/client_selection.rs).
//
// Reads one target a line on stdin, tab-separated:
//   id  port  tls(1.2|1.3)  cert+chain.pem  key.pem  server-ca.pem  [p12  p12-pass  variant]
// and for each connects to 127.0.0.1:port with the identity in Config.Certificates and no
// GetClientCertificate, so crypto/tls itself decides whether to send it. After the handshake it
// sends "GET / HTTP/1.0" and reads until the server closes, so the server has read every
// message of ours before we hang up. Prints one line a target:
//   RESULT <tab> id <tab> ok|error <tab> detail
// Targets run concurrently (each has its own server); every connection has a 10 s deadline.
// Standard library only: it builds offline.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

type target struct {
	id, port, version, cert, key, ca string
}

func main() {
	var targets []target
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		fields := strings.Split(scanner.Text(), "\t")
		if len(fields) < 6 {
			continue
		}
		targets = append(targets, target{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]})
	}
	results := make([]string, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func(i int, t target) {
			defer wg.Done()
			detail, err := connect(t)
			if err != nil {
				results[i] = fmt.Sprintf("RESULT\t%s\terror\t%s", t.id, oneLine(err.Error()))
			} else {
				results[i] = fmt.Sprintf("RESULT\t%s\tok\t%s", t.id, oneLine(detail))
			}
		}(i, t)
	}
	wg.Wait()
	for _, line := range results {
		fmt.Println(line)
	}
}

func connect(t target) (string, error) {
	pair, err := tls.LoadX509KeyPair(t.cert, t.key)
	if err != nil {
		return "", fmt.Errorf("loading our certificate: %w", err)
	}
	caPEM, err := os.ReadFile(t.ca)
	if err != nil {
		return "", err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return "", errors.New("no certificate in the server CA file")
	}
	version := uint16(tls.VersionTLS12)
	if t.version == "1.3" {
		version = tls.VersionTLS13
	}
	config := &tls.Config{
		Certificates: []tls.Certificate{pair},
		RootCAs:      roots,
		ServerName:   "localhost",
		MinVersion:   version,
		MaxVersion:   version,
	}
	deadline := time.Now().Add(10 * time.Second)
	dialer := &net.Dialer{Deadline: deadline}
	conn, err := tls.DialWithDialer(dialer, "tcp", net.JoinHostPort("127.0.0.1", t.port), config)
	if err != nil {
		return "", fmt.Errorf("handshake: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	if _, err := io.WriteString(conn, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return "", fmt.Errorf("after the handshake: %w", err)
	}
	reply, err := io.ReadAll(conn)
	if err != nil {
		return "", fmt.Errorf("after the handshake: %w", err)
	}
	return "handshake done; " + firstLine(string(reply)), nil
}

func firstLine(text string) string {
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		return text[:i]
	}
	return text
}

func oneLine(text string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(text)
}
