package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing through VNPT SmartCA ({@code rv_vault_sign_remote}, {@code rv_vault_resume_remote},
 * {@code rv_vault_remote_request}) against a real HTTP peer: a SmartCA-shaped mock on
 * {@link HttpServer}, whose "HSM" is the real {@code openssl pkeyutl} with the test PKI's officer key.
 *
 * <p>The first path segment is the scenario: {@code /approve-after-<n>[-label]/v1/...} approves after
 * {@code n} status polls answering "waiting", {@code /reject-after-<n>[-label]/v1/...} refuses on the
 * phone after {@code n}.
 */
class RemoteSigningTest {
    private static final String SP_PASSWORD = "sp-secret-Jv7#2";
    private static final Map<String, Object> FAST = map("poll_interval_ms", 20, "max_poll_interval_ms", 50,
            "wait_seconds", 30);
    private static final Pattern SCENARIO = Pattern.compile("^/((approve|reject)-after-(\\d+)(?:-[a-z0-9]+)?)(/v1/.*)$");
    private static final Pattern STATUS = Pattern.compile("^/v1/signatures/sign/([0-9A-Za-z_-]+)/status$");

    @TempDir
    Path tmp;

    private HttpServer server;
    private TestSupport.Pki pki;

    /** One transaction at the mock: the digest to sign and how many times its status was asked. */
    private static final class Txn {
        final String hex;
        int polls;

        Txn(String hex) {
            this.hex = hex;
        }
    }

    private final Map<String, Txn> transactions = new ConcurrentHashMap<>();
    /** What the mock received: scenario, path and (for signatures/sign) data_to_be_signed; never the password. */
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startMock() throws Exception {
        pki = TestSupport.pki();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stopMock() {
        server.stop(0);
    }

    // ---------------------------------------------------------------- the SmartCA mock

    private void handle(HttpExchange exchange) throws IOException {
        try {
            Map<String, Object> answer = route(exchange.getRequestURI().getPath(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = Json.stringify(answer).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (Exception e) {
            byte[] body = ("{\"status_code\":500,\"message\":\"mock failed: " + e.getClass().getSimpleName() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
        }
    }

    private static Map<String, Object> smartCa(int status, String message, Object data) {
        Map<String, Object> m = map("status_code", status, "message", message);
        m.put("data", data);
        return m;
    }

    private Map<String, Object> route(String path, String text) throws Exception {
        Matcher m = SCENARIO.matcher(path);
        if (!m.matches()) {
            return smartCa(404, "no such scenario", null);
        }
        String scenario = m.group(1);
        boolean approve = m.group(2).equals("approve");
        int after = Integer.parseInt(m.group(3));
        String api = m.group(4);
        Json body = Json.parse(text);
        Map<String, String> entry = new java.util.LinkedHashMap<>();
        entry.put("scenario", scenario);
        entry.put("path", api);
        requests.add(entry);
        // The integrator's credentials come in every body.
        if (!"sp-test".equals(text(body, "sp_id")) || !SP_PASSWORD.equals(text(body, "sp_password"))) {
            return smartCa(401, "Invalid sp_id or sp_password", null);
        }
        if (api.equals("/v1/credentials/get_certificate")) {
            Base64.Encoder b64 = Base64.getEncoder();
            return smartCa(200, "success", map("user_certificates", List.of(map(
                    "service_type", "SMARTCA",
                    "serial_number", "5402a0b1c2d3e4f5",
                    "cert_data", b64.encodeToString(pki.officerDer),
                    "chain_data", map("ca_cert", "", "root_cert", b64.encodeToString(pki.rootDer))))));
        }
        if (api.equals("/v1/signatures/sign")) {
            String txn = body.get("transaction_id").asString();
            Json file = body.get("sign_files").get(0);
            String hex = file.get("data_to_be_signed").asString();
            entry.put("data_to_be_signed", hex);
            if (!hex.matches("[0-9a-f]{64}") || !"hash".equals(file.get("sign_type").asString())) {
                return smartCa(400, "a SHA-256 data_to_be_signed in hex is required", null);
            }
            transactions.put(txn, new Txn(hex));
            return smartCa(200, "success", map("transaction_id", txn, "tran_code", "SCA-" + txn.substring(0, 8)));
        }
        Matcher status = STATUS.matcher(api);
        if (status.matches()) {
            String id = status.group(1);
            Txn txn = transactions.get(id);
            if (txn == null) {
                return smartCa(404, "Transaction not found", null);
            }
            int polls;
            synchronized (txn) {
                polls = ++txn.polls;
            }
            Map<String, Object> data = map("transaction_id", id);
            if (polls <= after) {
                data.put("signatures", null);
                return smartCa(200, "Waiting for the user to confirm the transaction", data);
            }
            if (!approve) {
                data.put("signatures", null);
                return smartCa(200, "Transaction rejected by user", data);
            }
            byte[] signature = opensslSign(HexFormat.of().parseHex(txn.hex));
            data.put("signatures", List.of(map("doc_id", "doc",
                    "signature_value", Base64.getEncoder().encodeToString(signature))));
            return smartCa(200, "success", data);
        }
        return smartCa(404, "no such API", null);
    }

    /** A string member, or {@code null} when it is missing or not a string. */
    private static String text(Json object, String name) {
        return object.find(name).filter(Json::isString).map(Json::asString).orElse(null);
    }

    /** The officer's "HSM": the real openssl CLI, RSA PKCS#1 v1.5 over the SHA-256 digest received. */
    private byte[] opensslSign(byte[] digest) throws Exception {
        Path in = Files.createTempFile(tmp, "digest-", ".bin");
        Path out = in.resolveSibling(in.getFileName() + ".sig");
        Files.write(in, digest);
        Process p = new ProcessBuilder("openssl", "pkeyutl", "-sign", "-inkey", pki.dir.resolve("officer.key").toString(),
                "-pkeyopt", "digest:sha256", "-in", in.toString(), "-out", out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl pkeyutl failed: " + log);
        }
        return Files.readAllBytes(out);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The SmartCA configuration for a scenario. The test PKI's officer certificate names no personal ID
     * ({@code CN=Test Officer}): it is pinned by its SHA-256 instead of being matched by {@code user_id}.
     */
    private Map<String, Object> config(String scenario) throws Exception {
        return map(
                "base_url", "http://127.0.0.1:" + server.getAddress().getPort() + "/" + scenario,
                "sp_id", "sp-test",
                "sp_password", SP_PASSWORD,
                "user_id", "001088012345",
                "answer", "raw",
                "timeout_seconds", 10,
                "certificate_sha256", TestSupport.sha256Hex(pki.officerDer));
    }

    private List<Map<String, String>> requests(String scenario) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> r : requests) {
            if (r.get("scenario").equals(scenario)) {
                out.add(r);
            }
        }
        return out;
    }

    private Vault trustedVault(String name) {
        Vault vault = Vault.open(tmp.resolve(name).toString());
        TestSupport.trust(vault, pki);
        return vault;
    }

    private static String ingest(Vault vault, String tag) {
        return vault.ingest(TestSupport.meta("H01-" + tag, tag + "/TLKS"), TestSupport.content(tag))
                .get("record").get("result_id").asString();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void signRemoteVnptApprovedAfterTwoPolls() throws Exception {
        try (Vault vault = trustedVault("approve.vault")) {
            String id = ingest(vault, "approve");
            Json stored = vault.signing().signRemote("vnpt-smartca", config("approve-after-2"), id, FAST);

            assertEquals(id, stored.get("result_id").asString());
            assertEquals("PASSED", stored.get("acceptance").get("indication").asString(), stored.raw());
            assertEquals("CN=Test Officer", stored.get("acceptance").get("signer").get("subject").asString());
            String sessionId = stored.get("source").get("session_id").asString();
            assertEquals("COMPLETED", vault.signing().signingSession(sessionId).get("state").asString());

            // Two polls answered "waiting", the third the signature.
            Json request = vault.signing().remoteRequest(sessionId);
            assertEquals(sessionId, request.get("session_id").asString());
            assertEquals("vnpt-smartca", request.get("provider").asString());
            assertEquals("approved", request.get("state").asString());
            assertEquals(3, request.get("polls").asLong());
            assertTrue(request.get("outcome").isNull());
            assertFalse(request.raw().contains(SP_PASSWORD));

            // The mock signed exactly the session's signed-attributes digest, sent once.
            List<Map<String, String>> seen = requests("approve-after-2");
            assertEquals("/v1/credentials/get_certificate", seen.get(0).get("path"));
            assertEquals("/v1/signatures/sign", seen.get(1).get("path"));
            assertEquals(vault.signing().signingSession(sessionId).get("signed_attributes_digest").asString(),
                    seen.get(1).get("data_to_be_signed"));
            assertEquals(5, seen.size(), "certificate, sign, three polls");
            assertEquals("/v1/signatures/sign/" + request.get("client_request_id").asString() + "/status",
                    seen.get(4).get("path"));

            assertEquals(1, vault.signing().signatures(id).size());
            assertTrue(vault.isReusable(id));
        }
    }

    @Test
    void signRemoteVnptRejectedIsDeclinedAndStoresNothing() throws Exception {
        try (Vault vault = trustedVault("reject.vault")) {
            String id = ingest(vault, "reject");
            ProviderDeclinedException e = assertThrows(ProviderDeclinedException.class,
                    () -> vault.signing().signRemote("vnpt-smartca", config("reject-after-1"), id, FAST));
            assertEquals(ResultCode.PROVIDER_DECLINED, e.resultCode());
            assertEquals("RV_PROVIDER_DECLINED", e.codeName());
            assertTrue(e.getMessage().contains("rejected"), e.getMessage());
            assertFalse(e.getMessage().contains(SP_PASSWORD));
            String sessionId = e.sessionId();
            assertNotNull(sessionId, e.getMessage());

            Json request = vault.signing().remoteRequest(sessionId);
            assertEquals("rejected", request.get("state").asString());
            assertEquals("rejected_by_user", request.get("outcome").get("kind").asString());
            assertEquals(2, request.get("polls").asLong());
            assertEquals("CANCELLED", vault.signing().signingSession(sessionId).get("state").asString());
            assertEquals(0, vault.signing().signatures(id).size());
            assertFalse(vault.isReusable(id));

            // Ended at the provider: resuming says so and sends nothing.
            int before = requests("reject-after-1").size();
            assertThrows(ProviderDeclinedException.class,
                    () -> vault.signing().resumeRemote("vnpt-smartca", config("reject-after-1"), sessionId, FAST));
            assertEquals(before, requests("reject-after-1").size());
        }
    }

    @Test
    void signRemoteVnptPendingThenResumed() throws Exception {
        String scenario = "approve-after-2-resume";
        String sessionId;
        String id;
        try (Vault vault = trustedVault("pending.vault")) {
            id = ingest(vault, "pending");
            assertEquals(0, vault.signing().unfinishedRemoteRequests().size());
            Map<String, Object> once = new java.util.LinkedHashMap<>(FAST);
            once.put("wait_seconds", 0);
            ProviderPendingException e = assertThrows(ProviderPendingException.class,
                    () -> vault.signing().signRemote("vnpt-smartca", config(scenario), id, once));
            assertEquals(24, e.code());
            sessionId = e.sessionId();
            assertNotNull(sessionId, e.getMessage());
            assertTrue(e.getMessage().contains("signing session " + sessionId), e.getMessage());
            Json request = vault.signing().remoteRequest(sessionId);
            assertEquals("waiting", request.get("state").asString());
            assertEquals(1, request.get("polls").asLong());
            assertEquals(List.of(request), vault.signing().unfinishedRemoteRequests().elements());
        }
        // A restart: a new handle finds what to resume, goes on polling, and never sends the request
        // again.
        try (Vault vault = Vault.open(tmp.resolve("pending.vault").toString(), "{\"mode\":\"open\"}")) {
            Json unfinished = vault.signing().unfinishedRemoteRequests();
            assertEquals(1, unfinished.size(), unfinished.raw());
            Json request = unfinished.get(0);
            assertEquals(sessionId, request.get("session_id").asString());
            assertEquals("vnpt-smartca", request.get("provider").asString());
            assertEquals("waiting", request.get("state").asString());
            Json stored = vault.signing().resumeRemote(request.get("provider").asString(),
                    Json.stringify(config(scenario)), request.get("session_id").asString(), Json.stringify(FAST));
            assertEquals("PASSED", stored.get("acceptance").get("indication").asString(), stored.raw());
            assertEquals(sessionId, stored.get("source").get("session_id").asString());
            assertEquals(3, vault.signing().remoteRequest(sessionId).get("polls").asLong());
            assertEquals(1, vault.signing().signatures(id).size());
            assertEquals(0, vault.signing().unfinishedRemoteRequests().size(), "nothing left to resume");
        }
        long sends = requests(scenario).stream().filter(r -> r.get("path").equals("/v1/signatures/sign")).count();
        assertEquals(1, sends);
    }

    @Test
    void signRemoteVnptBadConfigIsAConfigError() throws Exception {
        String scenario = "approve-after-0-config";
        try (Vault vault = trustedVault("config.vault")) {
            String id = ingest(vault, "config");
            Map<String, Object> noPassword = config(scenario);
            noPassword.remove("sp_password");
            Map<String, Object> plainHttp = config(scenario);
            plainHttp.put("base_url", "http://smartca.example/sca/sp769");
            Map<String, Object> numericSecret = config(scenario);
            numericSecret.put("sp_password", 73190555);
            Map<String, Object> otherProvider = config(scenario);
            otherProvider.put("provider", "csc");
            Object[][] cases = {
                {"vnpt-smartca", noPassword},
                {"vnpt-smartca", plainHttp},
                {"vnpt-smartca", numericSecret},
                {"vnpt-smartca", otherProvider},
                {"vnpt-smartca-v9", config(scenario)},
            };
            for (Object[] c : cases) {
                Map<String, ?> cfg = TestSupport.cast(c[1]);
                ProviderConfigException e = assertThrows(ProviderConfigException.class,
                        () -> vault.signing().signRemote((String) c[0], cfg, id, FAST), String.valueOf(c[0]));
                assertEquals(ResultCode.PROVIDER_CONFIG, e.resultCode());
                assertNull(e.sessionId(), "no session was begun: " + e.getMessage());
                assertFalse(e.getMessage().contains(SP_PASSWORD), e.getMessage());
                assertFalse(e.getMessage().contains("73190555"), e.getMessage());
            }
            assertThrows(ProviderConfigException.class,
                    () -> vault.signing().signRemote("vnpt-smartca", "{\"base_url\": ", id, null));
            // Unknown options: an argument error, before anything is sent.
            InvalidArgumentException bad = assertThrows(InvalidArgumentException.class,
                    () -> vault.signing().signRemote("vnpt-smartca", config(scenario), id, map("wait", 5)));
            assertEquals(ResultCode.INVALID_JSON, bad.resultCode());
            assertEquals(List.of(), requests(scenario), "nothing was sent");
            assertEquals(0, vault.signing().signatures(id).size());

            // A local session has no provider request.
            String local = vault.signing().beginSigning(id, pki.officerPem).get("session_id").asString();
            assertThrows(NotFoundException.class, () -> vault.signing().remoteRequest(local));
            assertThrows(ProviderConfigException.class,
                    () -> vault.signing().resumeRemote("vnpt-smartca", config(scenario), local, FAST));
            assertThrows(NotFoundException.class, () -> vault.signing().remoteRequest("01M8442DNE2PJSSAEKS0MKZ3CK"));
        }
    }
}
