/* The CPU floor of an OpenSSL-based prober, for scripts/bench.sh: per endpoint, the same two
 * handshakes mtlscheck makes (without a client certificate, then with ours), each followed, on
 * TLS 1.3 when the server asked for a certificate, by the read that learns its verdict (a
 * ticket or an alert). One process, one shared SSL_CTX per identity, one endpoint after the
 * other, nothing printed or kept: whatever a prober does beyond this is its own overhead.
 *
 *   cc -O2 -o handshake-floor handshake-floor.c -lssl -lcrypto
 *   handshake-floor CA.pem CERT.pem KEY.pem < endpoints.txt     (one HOST:PORT per line)
 *
 * Prints how many endpoints it handshook with and how many handshakes failed outright.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define SSL3_MT_CERTIFICATE_REQUEST_ 13

/* Set by the message callback when the server sent a CertificateRequest. */
static int cert_requested;

static void watch(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg) {
    (void)version, (void)ssl, (void)arg;
    const unsigned char *bytes = buf;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 && bytes[0] == SSL3_MT_CERTIFICATE_REQUEST_)
        cert_requested = 1;
}

static SSL_CTX *context(const char *ca, const char *cert, const char *key) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || !SSL_CTX_load_verify_locations(ctx, ca, NULL)) return NULL;
    /* Verification reported, not enforced (as s_client and mtlscheck). */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
    SSL_CTX_set_msg_callback(ctx, watch);
    if (cert && (!SSL_CTX_use_certificate_chain_file(ctx, cert) || !SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM)))
        return NULL;
    return ctx;
}

static int tcp(const char *host, int port) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval timeout = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One connection: the handshake, then on TLS 1.3 after a CertificateRequest the read that
 * shows the verdict. Returns 0 when the handshake itself ran (accepted or refused). */
static int attempt(SSL_CTX *ctx, const char *host, int port) {
    int fd = tcp(host, port);
    if (fd < 0) return -1;
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    cert_requested = 0;
    int ok = SSL_connect(ssl) == 1;
    if (ok && SSL_version(ssl) == TLS1_3_VERSION && cert_requested) {
        char buf[1024];
        for (;;) {
            errno = 0;
            int n = SSL_read(ssl, buf, sizeof buf);
            if (n > 0) break;
            int code = SSL_get_error(ssl, n);
            if (code != SSL_ERROR_WANT_READ) break; /* an alert, or the connection closed */
            if (errno == EAGAIN || errno == EWOULDBLOCK) break; /* the socket timeout */
            /* A ticket came (the read returns after each post-handshake message). */
            if (SSL_SESSION_is_resumable(SSL_get0_session(ssl))) break;
        }
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
    return ok || cert_requested ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s CA.pem CERT.pem KEY.pem < endpoints.txt\n", argv[0]);
        return 2;
    }
    SSL_CTX *without = context(argv[1], NULL, NULL), *with = context(argv[1], argv[2], argv[3]);
    if (!without || !with) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    char line[300], host[256];
    int port, endpoints = 0, failed = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *colon = strrchr(line, ':');
        if (!colon || colon - line >= (long)sizeof host) continue;
        memcpy(host, line, colon - line);
        host[colon - line] = 0;
        port = atoi(colon + 1);
        endpoints++;
        failed += attempt(without, host, port) != 0;
        failed += attempt(with, host, port) != 0;
    }
    printf("%d endpoints, %d handshakes failed\n", endpoints, failed);
    return 0;
}
