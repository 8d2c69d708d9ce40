"""The Python `ssl` client of the client-selection tests (tests/integration/client_selection.rs).

Reads one target a line on stdin, tab-separated:
    id  port  tls(1.2|1.3)  cert+chain.pem  key.pem  server-ca.pem  [p12  p12-pass  variant]
and for each connects to 127.0.0.1:port with load_cert_chain(cert+chain, key) (OpenSSL's
SSL_CTX_use_certificate_chain_file: OpenSSL decides whether to send it), sends
"GET / HTTP/1.0" after the handshake and reads until the server closes. Prints one line a target:
    RESULT <tab> id <tab> ok|error <tab> detail
Targets run on a few threads (each has its own server); each connection is bounded by 10 s.
"""

import concurrent.futures
import socket
import ssl
import sys


def connect(fields):
    _, port, version, cert, key, ca = fields[:6]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=ca)
    context.load_cert_chain(cert, key)
    pinned = ssl.TLSVersion.TLSv1_3 if version == "1.3" else ssl.TLSVersion.TLSv1_2
    context.minimum_version = pinned
    context.maximum_version = pinned
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
            reply = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                reply += chunk
    return "handshake done; " + reply.decode("latin-1").split("\r\n", 1)[0]


def run(fields):
    try:
        return "RESULT\t%s\tok\t%s" % (fields[0], one_line(connect(fields)))
    except Exception as error:  # every failure is the observation to report
        return "RESULT\t%s\terror\t%s" % (fields[0], one_line(repr(error)))


def one_line(text):
    return text.replace("\n", " ").replace("\t", " ")


def main():
    targets = [line.rstrip("\n").split("\t") for line in sys.stdin if line.count("\t") >= 5]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for line in pool.map(run, targets):
            print(line, flush=True)


main()
