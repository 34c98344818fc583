package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCSP responses in the trust store ({@link TrustStore#addOcspResponse(byte[])}) and the refresh of the
 * revocation data from the network ({@link TrustStore#refreshRevocation(Map)}). Deterministic: the only
 * network is a port of 127.0.0.1 where nobody listens.
 */
class RevocationTest {
    @TempDir
    Path tmp;

    @Test
    void anOcspResponseOfTheRootIsKeptAndOthersRefused() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        try (Vault vault = Vault.open(tmp.resolve("ocsp.vault"))) {
            TestSupport.trust(vault, pki);
            byte[] response = ocspResponse(pki.dir, "officer.pem");
            Json item = vault.trustStore().addOcspResponse(response);
            assertEquals("ocsp", item.get("kind").asString());
            assertEquals(TestSupport.sha256Hex(response), item.get("sha256").asString());
            assertEquals("CN=Test National Root CA", item.get("name").asString());
            assertEquals(item, vault.trustStore().addOcspResponse(response), "adding it twice returns it");

            // A CRL is no OCSP response, and half a response is none either: nothing is written.
            Json head = vault.logHead();
            for (byte[] bytes : List.of(pki.crlDer, Arrays.copyOf(response, response.length / 2))) {
                ResultsVaultException e = assertThrows(ResultsVaultException.class,
                        () -> vault.trustStore().addOcspResponse(bytes));
                assertTrue(e.code() == 4 || e.code() == 10, e.getMessage());
            }
            assertEquals(head, vault.logHead());
            assertThrows(InvalidArgumentException.class, () -> vault.trustStore().addOcspResponse(null));
        }
    }

    @Test
    void aRefreshReportsEverySourceAndAnUnreachableOneAsFailed() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        try (Vault vault = Vault.open(tmp.resolve("refresh.vault"))) {
            TestSupport.trust(vault, pki);
            // Nothing to fetch yet: the root names no distribution point.
            assertEquals(0, vault.trustStore().refreshRevocation().get("sources").size());

            // An officer whose certificate names a distribution point and a responder on a port of
            // 127.0.0.1 where nobody listens.
            int port = closedPort();
            String crlUrl = "http://127.0.0.1:" + port + "/root.crl";
            String ocspUrl = "http://127.0.0.1:" + port + "/";
            byte[] cert = issueWithUrls(pki.dir, "java-refresh-officer", crlUrl, ocspUrl);
            PrivateKey key = pkcs8(pki.dir.resolve("java-refresh-officer.key"));
            String id = vault.ingest(TestSupport.meta("H01-R1", "R/1"), TestSupport.content("refresh"))
                    .get("record").get("result_id").asString();
            Json session = vault.signing().beginSigning(id, cert, "SHA-256");
            byte[] attrs = HexFormat.of().parseHex(session.get("signed_attributes").asString());
            vault.signing().completeSigningRaw(session.get("session_id").asString(), RawSignatureAlgorithm.RSA_PKCS1,
                    TestSupport.rsaSign(key, attrs));

            Json before = vault.trustStore().trustItems();
            Json report = vault.trustStore().refreshRevocation(map("timeout_secs", 5));
            List<Json> sources = report.get("sources").elements();
            assertEquals(2, sources.size(), report.toString());
            Json crl = sources.get(0);
            Json ocsp = sources.get(1);
            assertEquals(List.of("crl", crlUrl, "CN=java-refresh-officer", "failed"), List.of(crl.get("kind").asString(),
                    crl.get("url").asString(), crl.get("about").asString(), crl.get("outcome").asString()));
            assertEquals(List.of("ocsp", ocspUrl, "failed"), List.of(ocsp.get("kind").asString(),
                    ocsp.get("url").asString(), ocsp.get("outcome").asString()));
            assertTrue(crl.get("reason").asString().startsWith("network error"), crl.toString());
            assertEquals(before, vault.trustStore().trustItems(), "nothing was added");

            // Options out of range or unknown are refused before anything is fetched.
            for (Object[] c : new Object[][] {
                {map("timeout_secs", 0), 4}, {map("timeout_secs", 601), 4}, {map("retries", 3), 3},
            }) {
                Map<String, Object> options = TestSupport.cast(c[0]);
                InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                        () -> vault.trustStore().refreshRevocation(options));
                assertEquals((int) c[1], e.code(), e.getMessage());
            }
        }
    }

    /** An OCSP response about {@code cert} from the root, made offline by openssl (no nonce). */
    private static byte[] ocspResponse(Path dir, String cert) throws Exception {
        TestSupport.run(dir, "openssl", "ocsp", "-issuer", "root.pem", "-cert", cert, "-no_nonce",
                "-reqout", "java-ocsp-req.der");
        TestSupport.run(dir, "openssl", "ocsp", "-index", "index.txt", "-rsigner", "root.pem", "-rkey", "root.key",
                "-CA", "root.pem", "-reqin", "java-ocsp-req.der", "-respout", "java-ocsp-resp.der", "-ndays", "7");
        return Files.readAllBytes(dir.resolve("java-ocsp-resp.der"));
    }

    /** Issues {@code name.pem} (key {@code name.key}) under the root, naming a CRL distribution point and an
     * OCSP responder; returns the certificate (PEM). */
    private static byte[] issueWithUrls(Path dir, String name, String crlUrl, String ocspUrl) throws Exception {
        Files.writeString(dir.resolve(name + ".ext"), "[ x ]\n"
                + "basicConstraints = critical, CA:FALSE\n"
                + "keyUsage = critical, digitalSignature, nonRepudiation\n"
                + "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
                + "crlDistributionPoints = URI:" + crlUrl + "\nauthorityInfoAccess = OCSP;URI:" + ocspUrl + "\n");
        TestSupport.run(dir, "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + name, "-config", "ca.cnf");
        TestSupport.run(dir, "openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key",
                "-in", name + ".csr", "-out", name + ".pem", "-extfile", name + ".ext", "-extensions", "x", "-notext");
        return Files.readAllBytes(dir.resolve(name + ".pem"));
    }

    /** An unencrypted PKCS#8 PEM RSA key. */
    private static PrivateKey pkcs8(Path file) throws Exception {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    /** A port of 127.0.0.1 where nobody listens (bound, then released). */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
