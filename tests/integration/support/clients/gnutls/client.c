/* The GnuTLS-library client of the client-selection tests (tests/integration/client_selection.rs).
 *
 * Reads one target a line on stdin, tab-separated:
 *   id  port  tls(1.2|1.3)  cert+chain.pem  key.pem  server-ca.pem  [p12  p12-pass  variant]
 * and for each hands the certificate list and key to gnutls_certificate_set_x509_key, with no
 * retrieve callback, so the library's own selection (_gnutls_select_client_cert) decides
 * whether to send them; connects to 127.0.0.1:port, sends "GET / HTTP/1.0" after the
 * handshake and reads until the server closes. Prints one line a target:
 *   RESULT <tab> id <tab> ok|error <tab> detail
 * Targets run one after the other; each connection is bounded by 10 s. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define FIELDS 6

static void report(const char *id, const char *outcome, const char *detail)
{
	printf("RESULT\t%s\t%s\t%s\n", id, outcome, detail);
	fflush(stdout);
}

/* Loads every certificate of cert_file and the key of key_file into cred. */
static int load_identity(gnutls_certificate_credentials_t cred, const char *cert_file, const char *key_file,
			 char *error, size_t error_size)
{
	gnutls_datum_t certs_pem = { NULL, 0 }, key_pem = { NULL, 0 };
	gnutls_x509_crt_t *certs = NULL;
	unsigned int count = 0;
	gnutls_x509_privkey_t key = NULL;
	int ret;

	if ((ret = gnutls_load_file(cert_file, &certs_pem)) < 0 || (ret = gnutls_load_file(key_file, &key_pem)) < 0)
		goto done;
	if ((ret = gnutls_x509_crt_list_import2(&certs, &count, &certs_pem, GNUTLS_X509_FMT_PEM, 0)) < 0)
		goto done;
	if ((ret = gnutls_x509_privkey_init(&key)) < 0)
		goto done;
	if ((ret = gnutls_x509_privkey_import(key, &key_pem, GNUTLS_X509_FMT_PEM)) < 0)
		goto done;
	ret = gnutls_certificate_set_x509_key(cred, certs, count, key);
done:
	if (ret < 0)
		snprintf(error, error_size, "loading our certificate: %s", gnutls_strerror(ret));
	for (unsigned int i = 0; i < count; i++)
		gnutls_x509_crt_deinit(certs[i]);
	gnutls_free(certs);
	if (key)
		gnutls_x509_privkey_deinit(key);
	gnutls_free(certs_pem.data);
	gnutls_free(key_pem.data);
	return ret;
}

static int connect_to(int port)
{
	struct sockaddr_in addr;
	struct timeval timeout = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void run(char **f)
{
	static const char request[] = "GET / HTTP/1.0\r\n\r\n";
	const char *id = f[0];
	char detail[512] = "", priority[64], buffer[4096], first[128] = "";
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t session = NULL;
	int fd = -1, ret;

	snprintf(priority, sizeof priority, "NORMAL:-VERS-ALL:+VERS-TLS%s", f[2]);
	if ((ret = gnutls_certificate_allocate_credentials(&cred)) < 0 ||
	    (ret = gnutls_certificate_set_x509_trust_file(cred, f[5], GNUTLS_X509_FMT_PEM)) < 0) {
		snprintf(detail, sizeof detail, "credentials: %s", gnutls_strerror(ret));
		goto done;
	}
	if (load_identity(cred, f[3], f[4], detail, sizeof detail) < 0)
		goto done;
	if ((fd = connect_to(atoi(f[1]))) < 0) {
		snprintf(detail, sizeof detail, "cannot connect to 127.0.0.1:%s", f[1]);
		goto done;
	}
	gnutls_init(&session, GNUTLS_CLIENT);
	gnutls_priority_set_direct(session, priority, NULL);
	gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_server_name_set(session, GNUTLS_NAME_DNS, "localhost", strlen("localhost"));
	gnutls_session_set_verify_cert(session, "localhost", 0);
	gnutls_transport_set_int(session, fd);
	gnutls_handshake_set_timeout(session, 10000);
	do {
		ret = gnutls_handshake(session);
	} while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret < 0) {
		snprintf(detail, sizeof detail, "handshake: %s", gnutls_strerror(ret));
		goto done;
	}
	if ((ret = gnutls_record_send(session, request, sizeof request - 1)) < 0) {
		snprintf(detail, sizeof detail, "after the handshake: %s", gnutls_strerror(ret));
		goto done;
	}
	while ((ret = gnutls_record_recv(session, buffer, sizeof buffer - 1)) != 0) {
		if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
			continue;
		if (ret < 0) {
			snprintf(detail, sizeof detail, "after the handshake: %s", gnutls_strerror(ret));
			goto done;
		}
		if (!first[0]) {
			buffer[ret] = '\0';
			buffer[strcspn(buffer, "\r\n")] = '\0';
			snprintf(first, sizeof first, "%.127s", buffer);
		}
	}
	snprintf(detail, sizeof detail, "handshake done; %s", first);
	report(id, "ok", detail);
	detail[0] = '\0';
done:
	if (detail[0])
		report(id, "error", detail);
	if (session)
		gnutls_deinit(session);
	if (fd >= 0)
		close(fd);
	if (cred)
		gnutls_certificate_free_credentials(cred);
}

int main(void)
{
	char line[8192];

	gnutls_global_init();
	while (fgets(line, sizeof line, stdin)) {
		char *fields[FIELDS], *rest = line;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < FIELDS && rest)
			fields[n++] = strsep(&rest, "\t");
		if (n == FIELDS)
			run(fields);
	}
	gnutls_global_deinit();
	return 0;
}
