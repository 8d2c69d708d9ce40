// A minimal HTTPS server on Java's own TLS stack (JSSE), the stack behind many partner APIs.
// Usage: java MtlsServer CERT.pem KEY.pem(PKCS#8) CLIENT-CA.pem need|want TLSv1.2|TLSv1.3 [trust-all]
// Binds 127.0.0.1 on a free port, prints "PORT <n>", answers every request with 200 "ok".
// trust-all installs an X509TrustManager that accepts any client certificate (and names no
// CAs), the mistake the impostor probe exists to catch.
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.*;
import javax.net.ssl.*;

public class MtlsServer {
    public static void main(String[] args) throws Exception {
        char[] password = "changeit".toCharArray();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> chain;
        try (InputStream in = new FileInputStream(args[0])) { chain = factory.generateCertificates(in); }
        String pem = new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.US_ASCII)
            .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(pem);
        PrivateKey key;
        try { key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)); }
        catch (Exception e) { key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)); }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", key, password, chain.toArray(new java.security.cert.Certificate[0]));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int n = 0;
        try (InputStream in = new FileInputStream(args[2])) {
            for (java.security.cert.Certificate ca : factory.generateCertificates(in)) trust.setCertificateEntry("ca" + n++, ca);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        TrustManager[] trustManagers = tmf.getTrustManagers();
        if (args.length > 5 && args[5].equals("trust-all")) {
            trustManagers = new TrustManager[] { new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) { }
                public void checkServerTrusted(X509Certificate[] chain, String authType) { }
                public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            } };
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), trustManagers, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        server.setEnabledProtocols(new String[] { args[4] });
        if (args[3].equals("need")) server.setNeedClientAuth(true); else server.setWantClientAuth(true);
        System.out.println("PORT " + server.getLocalPort());
        System.out.flush();
        while (true) {
            Socket socket = server.accept();
            new Thread(() -> serve((SSLSocket) socket)).start();
        }
    }

    static void serve(SSLSocket socket) {
        try (SSLSocket s = socket) {
            s.setSoTimeout(5000);
            s.startHandshake();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) { }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // The client went away or was refused: nothing to do.
        }
    }
}
