// githttp serves the git repositories under -root over smart HTTP with TLS, as a git host does, so
// that the GitOps controllers in test/gitops.test.ts clone a generated repository over https exactly
// as they would from GitHub. It wraps `git http-backend` (CGI) with net/http/cgi; pushes are allowed
// (the test pushes as a user would). The TLS certificate is self-signed for 127.0.0.1 and localhost,
// made at start and written as PEM to -cert-out so clients can trust it (SSL_CERT_FILE, Argo CD's
// TLS data dir). It prints "ready https://127.0.0.1:<port>" on stdout once it listens.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"time"
)

func main() {
	root := flag.String("root", "", "directory holding the bare repositories (<name>.git)")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	certOut := flag.String("cert-out", "", "file to write the self-signed certificate to (PEM)")
	flag.Parse()
	if *root == "" || *certOut == "" {
		log.Fatal("githttp: -root and -cert-out are required")
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		log.Fatalf("githttp: git not found: %v", err)
	}
	cert, pemBytes, err := selfSigned()
	if err != nil {
		log.Fatalf("githttp: certificate: %v", err)
	}
	if err := os.WriteFile(*certOut, pemBytes, 0o644); err != nil {
		log.Fatalf("githttp: %v", err)
	}
	backend := &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env: []string{
			"GIT_PROJECT_ROOT=" + *root,
			"GIT_HTTP_EXPORT_ALL=1",
			// http-backend only accepts pushes from an authenticated user; this server is loopback-only
			// test infrastructure, so every request counts as one.
			"REMOTE_USER=test",
		},
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.RequestURI())
		backend.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("githttp: %v", err)
	}
	srv := &http.Server{
		Handler:           handler,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Printf("ready https://%s\n", ln.Addr())
	log.Fatal(srv.ServeTLS(ln, "", ""))
}

func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "githttp test server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}
