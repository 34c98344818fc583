package vn.resultsvault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Shared fixtures: the throwaway PKI (made once per JVM by make-test-pki.sh), metadata, signing. */
final class TestSupport {
    private TestSupport() {
    }

    /** The ingest metadata of the brief, as JSON text. */
    static final String META_JSON = "{\"dossier_code\":\"H01.01-261101-0001\",\"procedure_code\":\"1.000466\","
            + "\"document_type\":\"birth-extract\",\"document_number\":\"12/TLKS\","
            + "\"issuer\":{\"agency_code\":\"G06.01\",\"agency_name\":\"UBND phường Bến Nghé\"},"
            + "\"subject\":{\"kind\":\"citizen\",\"id\":\"001203004567\",\"name\":\"Nguyễn Văn An\"},"
            + "\"issued_at\":\"2026-11-01\",\"valid_from\":\"2026-11-01\",\"media_type\":\"application/pdf\","
            + "\"file_name\":\"trich-luc.pdf\",\"provenance\":{\"origin\":\"born_digital\"}}";

    static final String SUBJECT_ID = "001203004567";

    /** The PKI files and the officer's key. */
    static final class Pki {
        final Path dir;
        final byte[] rootPem;
        final byte[] rootDer;
        final byte[] officerPem;
        final byte[] officerDer;
        final byte[] crlPem;
        final byte[] crlDer;
        final PrivateKey officerKey;

        Pki(Path dir) throws IOException, GeneralSecurityException {
            this.dir = dir;
            rootPem = Files.readAllBytes(dir.resolve("root.pem"));
            rootDer = Files.readAllBytes(dir.resolve("root.der"));
            officerPem = Files.readAllBytes(dir.resolve("officer.pem"));
            officerDer = Files.readAllBytes(dir.resolve("officer.der"));
            crlPem = Files.readAllBytes(dir.resolve("crl.pem"));
            crlDer = Files.readAllBytes(dir.resolve("crl.der"));
            String pem = Files.readString(dir.resolve("officer.key"), StandardCharsets.US_ASCII);
            if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new IllegalStateException("officer.key is not an unencrypted PKCS#8 PEM");
            }
            String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            officerKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        }
    }

    private static Pki pki;

    /** The PKI, made on first use into a temporary directory deleted when the JVM exits. */
    static synchronized Pki pki() throws Exception {
        if (pki == null) {
            Path dir = Files.createTempDirectory("rv-java-pki-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            Process p = new ProcessBuilder("bash", script().toString(), dir.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("make-test-pki.sh failed: " + output);
            }
            pki = new Pki(dir);
        }
        return pki;
    }

    /** bindings/testdata/make-test-pki.sh: from -Dresultsvault.testdata, else found above the working directory. */
    static Path script() {
        String prop = System.getProperty("resultsvault.testdata");
        if (prop != null && !prop.isEmpty()) {
            return Paths.get(prop, "make-test-pki.sh");
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("bindings/testdata/make-test-pki.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            candidate = d.resolve("../testdata/make-test-pki.sh");
            if (Files.isRegularFile(candidate) && d.endsWith("java")) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("cannot find bindings/testdata/make-test-pki.sh: set -Dresultsvault.testdata");
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** A LinkedHashMap from key, value, key, value... */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The brief's metadata as a map, with its own dossier code and document number. */
    static Map<String, Object> meta(String dossier, String documentNumber) {
        return map(
                "dossier_code", dossier,
                "procedure_code", "1.000466",
                "document_type", "birth-extract",
                "document_number", documentNumber,
                "issuer", map("agency_code", "G06.01", "agency_name", "UBND phường Bến Nghé"),
                "subject", map("kind", "citizen", "id", SUBJECT_ID, "name", "Nguyễn Văn An"),
                "issued_at", "2026-11-01",
                "valid_from", "2026-11-01",
                "media_type", "application/pdf",
                "file_name", "trich-luc.pdf",
                "provenance", map("origin", "born_digital"));
    }

    /** Binary content with every byte value, NULs included, and a tag making it distinct. */
    static byte[] content(String tag) {
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[512 + t.length];
        for (int i = 0; i < 512; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        b[0] = 0;
        b[1] = (byte) 0xff;
        System.arraycopy(t, 0, b, 512, t.length);
        return b;
    }

    static String sha256Hex(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static Map<String, Object> query() {
        return map("subject_kind", "citizen", "subject_id", SUBJECT_ID, "document_type", "birth-extract", "at", now());
    }

    static Map<String, Object> requester() {
        return map("agency_code", "G01.02", "procedure_code", "2.000123", "dossier_code", "H02-0001",
                "purpose", "xác minh");
    }

    /** Trusts the test root and its CRL. */
    static void trust(Vault vault, Pki pki) {
        vault.trustStore().addTrustAnchor(pki.rootDer);
        vault.trustStore().addCrl(pki.crlDer);
    }

    /** SHA256withRSA by the officer's key: the "remote signing provider". */
    static byte[] rsaSign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    /** The two-phase flow: begin, sign the signed attributes, complete. Returns the stored signature. */
    static Json sign(Vault vault, String id, Pki pki) throws GeneralSecurityException {
        Json session = vault.signing().beginSigning(id, pki.officerPem, "SHA-256");
        byte[] attrs = HexFormat.of().parseHex(session.get("signed_attributes").asString());
        byte[] sig = rsaSign(pki.officerKey, attrs);
        return vault.signing().completeSigningRaw(session.get("session_id").asString(), RawSignatureAlgorithm.RSA_PKCS1, sig);
    }

    /** Result ids of a findReusable answer's results. */
    static List<String> resultIds(Json answer) {
        List<String> ids = new ArrayList<>();
        for (Json r : answer.get("results").elements()) {
            ids.add(r.get("result_id").asString());
        }
        return ids;
    }

    /** An unchecked cast, for nested maps of the metadata. */
    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }

    /** Runs a command, returns its output; fails on a non-zero exit. */
    static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
