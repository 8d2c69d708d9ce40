// The Java (JSSE) client of the client-selection tests (tests/integration/client_selection.rs).
//
// Reads one target a line on stdin, tab-separated:
//   id  port  tls(1.2|1.3)  cert+chain.pem  key.pem  server-ca.pem  p12  p12-pass  key-manager
// and for each loads the PKCS#12 key store into a KeyManagerFactory of that algorithm (SunX509
// or PKIX), so the key manager's own chooseClientAlias decides whether a certificate is sent,
// connects to 127.0.0.1:port with only that protocol enabled, sends "GET / HTTP/1.0" after the
// handshake and reads until the server closes. Prints one line a target:
//   RESULT <tab> id <tab> ok|error <tab> detail
// One JVM for the whole batch (start-up is slow); targets run on a few threads, each
// connection bounded by 10 s.
import java.io.*;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.*;
import java.util.concurrent.*;
import javax.net.ssl.*;

public class ClientProbe {
    public static void main(String[] args) throws Exception {
        List<String[]> targets = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] fields = line.split("\t");
            if (fields.length >= 9) targets.add(fields);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> results = new ArrayList<>();
        for (String[] target : targets) results.add(pool.submit(() -> run(target)));
        for (Future<String> result : results) System.out.println(result.get());
        pool.shutdown();
    }

    static String run(String[] t) {
        try {
            return "RESULT\t" + t[0] + "\tok\t" + oneLine(connect(t));
        } catch (Exception e) {
            return "RESULT\t" + t[0] + "\terror\t" + oneLine(e.toString());
        }
    }

    static String connect(String[] t) throws Exception {
        int port = Integer.parseInt(t[1]);
        String protocol = t[2].equals("1.3") ? "TLSv1.3" : "TLSv1.2";
        char[] password = t[7].toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream p12 = new FileInputStream(t[6])) { keys.load(p12, password); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(t[8]);
        kmf.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream ca = new FileInputStream(t[5])) {
            int n = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(ca)) {
                trust.setCertificateEntry("server-ca-" + n++, cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.setEnabledProtocols(new String[] { protocol });
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10000);
            socket.setSoTimeout(10000);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String first = reply.readLine();
            while (reply.readLine() != null) { }
            return "handshake done; " + first;
        }
    }

    static String oneLine(String text) {
        return text.replace('\n', ' ').replace('\t', ' ');
    }
}
