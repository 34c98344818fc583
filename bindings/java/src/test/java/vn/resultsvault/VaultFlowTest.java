package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole flow of a portal, through the Java wrapper, on a real vault file and a real PKI. */
class VaultFlowTest {
    @TempDir
    Path tmp;

    @Test
    void abiAndVersionAreChecked() {
        ResultsVault.load();
        assertEquals(ResultsVault.EXPECTED_ABI_VERSION, ResultsVault.abiVersion());
        assertTrue(ResultsVault.version().matches("\\d+\\.\\d+\\.\\d+.*"), ResultsVault.version());
        assertEquals("RV_NOT_FOUND", ResultsVault.resultName(6));
        assertEquals("RV_UNKNOWN", ResultsVault.resultName(99));
        for (ResultCode c : ResultCode.values()) {
            assertEquals(c.cName(), ResultsVault.resultName(c.value()), "the Java enum mirrors rv_result_name");
        }
    }

    @Test
    void fullFlow() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        Path file = tmp.resolve("portal.vault");
        byte[] pdf = TestSupport.content("full-flow");
        String id;
        Json logHeadBefore;
        try (Vault vault = Vault.open(file)) {
            assertEquals(file.toString(), vault.path());

            // Trust the PKI.
            Json anchor = vault.trustStore().addTrustAnchor(pki.rootDer);
            assertEquals(anchor, vault.trustStore().addTrustAnchor(pki.rootPem), "adding the same anchor (as PEM) returns it");
            Json crl = vault.trustStore().addCrl(pki.crlDer);
            assertEquals(2, vault.trustStore().trustItems().size());
            assertEquals(1, vault.trustStore().trustMaterial().get("anchors").size());
            assertEquals(HexFormat.of().formatHex(pki.rootDer), vault.trustStore().trustMaterial().get("anchors").get(0).asString());
            assertEquals(64, crl.get("sha256").asString().length());

            // Ingest (JSON text input); the same again is not a new result.
            Json ingested = vault.ingest(TestSupport.META_JSON, pdf);
            assertTrue(ingested.get("created").asBoolean());
            Json record = ingested.get("record");
            id = record.get("result_id").asString();
            assertEquals(26, id.length());
            Json again = vault.ingest(Json.parse(TestSupport.META_JSON).asMap(), pdf);
            assertFalse(again.get("created").asBoolean());
            assertEquals(id, again.get("record").get("result_id").asString());

            // Read back: record (UTF-8 intact), content (binary intact), hash lookup, history.
            Json got = vault.get(id);
            assertEquals("ACTIVE", got.get("status").get("state").asString());
            assertEquals("Nguyễn Văn An", got.get("subject").get("name").asString());
            assertEquals("UBND phường Bến Nghé", got.get("issuer").get("agency_name").asString());
            assertArrayEquals(pdf, vault.readContent(id));
            Json byHash = vault.findByHash(TestSupport.sha256Hex(pdf));
            assertEquals(1, byHash.size());
            assertEquals(id, byHash.get(0).get("result_id").asString());
            assertTrue(vault.history(id).size() >= 1);

            // Not signed yet: not reusable.
            assertFalse(vault.isReusable(id));
            assertFalse(vault.verifyRecord(id).get("reusable").asBoolean());

            // Two-phase signing with java.security.Signature as the remote provider.
            Json session = vault.signing().beginSigning(id, pki.officerPem);
            assertEquals("OPEN", session.get("state").asString());
            byte[] attrs = HexFormat.of().parseHex(session.get("signed_attributes").asString());
            assertEquals(session.get("signed_attributes_digest").asString(),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(attrs)),
                    "the digest a CSC signHash would sign is SHA-256 of the signed attributes");
            String sessionId = session.get("session_id").asString();
            assertEquals(session, vault.signing().signingSession(sessionId));
            byte[] sig = TestSupport.rsaSign(pki.officerKey, attrs);
            Json stored = vault.signing().completeSigningRaw(sessionId, RawSignatureAlgorithm.RSA_PKCS1, sig);
            assertEquals(id, stored.get("result_id").asString());
            assertEquals("COMPLETED", vault.signing().signingSession(sessionId).get("state").asString());
            assertEquals(stored, vault.signing().completeSigningRaw(sessionId, "RSA_PKCS1", sig),
                    "completing again with the same reply returns the same signature");
            assertEquals(1, vault.signing().signatures(id).size());
            assertEquals(stored.get("sha256"), vault.signing().signatures(id).get(0).get("sha256"));
            assertEquals(1, vault.signing().signatureChecks(id).size());

            // Verified: reusable, every signature PASSED.
            Json verdict = vault.verifyRecord(id);
            assertTrue(verdict.get("reusable").asBoolean(), verdict.raw());
            assertEquals(id, verdict.get("result_id").asString());
            assertTrue(verdict.get("integrity").asBoolean());
            assertEquals(1, verdict.get("signatures").size());
            assertEquals("PASSED", verdict.get("signatures").get(0).get("verdict").get("indication").asString());
            assertTrue(vault.isReusable(id));
            assertTrue(vault.isReusable(id, Instant.now()));

            // Reuse: handed out with its verdict.
            Json reuse = vault.findReusable(TestSupport.query(), TestSupport.requester());
            assertEquals(List.of(id), TestSupport.resultIds(reuse));
            assertEquals(1, reuse.get("verdicts").size());
            assertEquals(id, reuse.get("verdicts").get(0).get("result_id").asString());
            assertTrue(reuse.get("verdicts").get(0).get("reusable").asBoolean());
            assertEquals(0, reuse.get("excluded").size());
            assertEquals(1, vault.countReusable(Json.stringify(TestSupport.query()),
                    Json.stringify(TestSupport.requester())));

            // Envelope: what the signatures sign, canonical JSON naming the content's SHA-256.
            byte[] envelope = vault.envelope(id);
            assertEquals(session.get("envelope_digest").asString(), TestSupport.sha256Hex(envelope));
            Json envelopeJson = Json.parse(new String(envelope, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(TestSupport.sha256Hex(pdf), envelopeJson.get("content").get("sha256").asString());

            // The verdict keeps the CRL it used as evidence.
            Json crlsUsed = vault.signing().signatureChecks(id).get(0).get("crls_used");
            assertEquals(1, crlsUsed.size());
            assertArrayEquals(pki.crlDer, vault.trustStore().keptCrl(crlsUsed.get(0).get("sha256").asString()));

            // Revoke: no longer reusable, excluded with reason REVOKED.
            String at = Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.SECONDS).toString();
            Json revoked = vault.revoke(id, map("reason", "cấp sai thông tin", "decision_ref", "45/QĐ-UBND",
                    "at", at, "by", "G06.01"));
            assertEquals(id, revoked.get("result_id").asString());
            assertThrows(InvalidTransitionException.class, () -> vault.revoke(id, map("reason", "again",
                    "decision_ref", "46/QĐ-UBND", "at", at, "by", "G06.01")));
            assertFalse(vault.isReusable(id));
            Json after = vault.verifyRecord(id);
            assertFalse(after.get("reusable").asBoolean());
            assertEquals("REVOKED", after.get("reasons").get(0).get("reason").asString());
            Json noReuse = vault.findReusable(TestSupport.query(), TestSupport.requester());
            assertEquals(0, noReuse.get("results").size());
            assertEquals(1, noReuse.get("excluded").size());
            assertEquals(id, noReuse.get("excluded").get(0).get("result_id").asString());
            assertEquals("REVOKED", noReuse.get("excluded").get(0).get("reason").asString());
            assertEquals(0, vault.countReusable(TestSupport.query(), TestSupport.requester()));

            // The audit log is intact, and a head kept outside still matches.
            Json report = vault.verifyLog();
            assertEquals(0, report.get("problem_count").asLong(), report.raw());
            assertTrue(report.get("events").asLong() >= 4);
            assertTrue(vault.isLogIntact());
            logHeadBefore = vault.logHead();
            assertTrue(logHeadBefore.get("seq").asLong() > 0);
            assertEquals(0, vault.verifyLog(logHeadBefore).get("problem_count").asLong());
            // The audit re-hashes every content, unless asked not to.
            assertTrue(report.get("contents").asLong() >= 1, report.raw());
            Json fast = vault.verifyLog(logHeadBefore, true);
            assertEquals(0, fast.get("contents").asLong(), fast.raw());
            assertEquals(0, fast.get("problem_count").asLong(), fast.raw());

            // Storage checks.
            assertEquals(0, vault.checkStorage().size());
            assertEquals(0, vault.verifyContents().size());
            assertTrue(vault.storageSummary().size() >= 1);
            Json stats = vault.stats(Instant.now().minusSeconds(3600), Instant.now().plusSeconds(3600));
            Json issuer = agency(stats, "G06.01");
            assertEquals(1, issuer.get("results_ingested").asLong(), stats.raw());
            assertEquals(1, issuer.get("results_reused").asLong(), stats.raw());
            Json reuser = agency(stats, "G01.02");
            assertEquals(2, reuser.get("reuses_made").asLong(), "findReusable and countReusable each handed it out: " + stats.raw());
        }

        // Reopen: the record is there, revoked, and the log still holds the head.
        try (Vault vault = Vault.open(file.toString(), map("mode", "open"))) {
            Json got = vault.get(id);
            assertEquals(id, got.get("result_id").asString());
            assertEquals("REVOKED", got.get("status").get("state").asString(), got.raw());
            assertFalse(vault.isReusable(id));
            assertTrue(vault.isLogIntact(logHeadBefore));
            assertArrayEquals(pdf, vault.readContent(id));
        }
        assertTrue(Files.exists(file));
    }

    @Test
    void batchSupersedeCancelAndTrustRemoval() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        try (Vault vault = Vault.open(tmp.resolve("batch.vault").toString(), "{\"mode\":\"create\",\"actor\":\"java-test\"}")) {
            TestSupport.trust(vault, pki);
            Json batch = vault.ingestBatch(
                    List.of(TestSupport.meta("H-B-1", "1/B"), TestSupport.meta("H-B-2", "2/B")),
                    List.of(TestSupport.content("b1"), TestSupport.content("b2")));
            assertEquals(2, batch.size());
            String first = batch.get(0).get("record").get("result_id").asString();
            String second = batch.get(1).get("record").get("result_id").asString();
            assertArrayEquals(TestSupport.content("b2"), vault.readContent(second));

            // All or nothing: a batch whose second item is refused stores neither.
            byte[] fresh = TestSupport.content("b3");
            assertThrows(ContentRefusedException.class, () -> vault.ingestBatch(
                    List.of(TestSupport.meta("H-B-3", "3/B"), TestSupport.meta("H-B-4", "4/B")),
                    List.of(fresh, new byte[0])));
            assertEquals(0, vault.findByHash(TestSupport.sha256Hex(fresh)).size());
            // Counts must agree.
            InvalidArgumentException mismatch = assertThrows(InvalidArgumentException.class,
                    () -> vault.ingestBatch(List.of(TestSupport.meta("H-B-5", "5/B")), List.of()));
            assertEquals(ResultCode.INVALID_ARGUMENT, mismatch.resultCode());
            assertEquals(0, vault.ingestBatch("[]", List.of()).size());

            // A cancelled session refuses a later reply, and stays cancelled.
            Json session = vault.signing().beginSigning(first, pki.officerDer);
            String sid = session.get("session_id").asString();
            assertEquals("CANCELLED", vault.signing().cancelSigning(sid).get("state").asString());
            byte[] sig = TestSupport.rsaSign(pki.officerKey, HexFormat.of().parseHex(session.get("signed_attributes").asString()));
            assertThrows(SessionUnusableException.class, () -> vault.signing().completeSigningRaw(sid, RawSignatureAlgorithm.RSA_PKCS1, sig));
            assertThrows(NotFoundException.class, () -> vault.signing().signingSession("no-such-session"));

            // Supersede the first by the second.
            TestSupport.sign(vault, first, pki);
            TestSupport.sign(vault, second, pki);
            Json old = vault.supersede(first, second, map("reason", "thay thế", "decision_ref", "7/QĐ",
                    "at", Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.SECONDS).toString(), "by", "G06.01"));
            assertEquals(first, old.get("result_id").asString());
            Json reuse = vault.findReusable(TestSupport.query(), TestSupport.requester());
            assertEquals(List.of(second), TestSupport.resultIds(reuse));
            Json excluded = reuse.get("excluded").get(0);
            assertEquals(first, excluded.get("result_id").asString());
            assertEquals("SUPERSEDED", excluded.get("reason").asString());
            assertEquals(second, excluded.get("replaced_by").asString());

            // Removing a trust item.
            String crlSha = vault.trustStore().trustItems().elements().stream()
                    .filter(i -> !i.get("sha256").asString().equals(HexFormat.of().formatHex(
                            sha256(pki.rootDer))))
                    .findFirst().orElseThrow().get("sha256").asString();
            assertTrue(vault.trustStore().removeTrustItem(crlSha));
            assertFalse(vault.trustStore().removeTrustItem(crlSha));
            assertEquals(1, vault.trustStore().trustItems().size());
            assertTrue(vault.isLogIntact());
        }
    }

    private static Json agency(Json stats, String code) {
        return stats.elements().stream().filter(a -> a.get("agency_code").asString().equals(code)).findFirst()
                .orElseThrow(() -> new AssertionError("no statistics for " + code + " in " + stats.raw()));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void signerRulesAreAddedListedAndRemovedWithAuditEvents() {
        try (Vault vault = Vault.open(tmp.resolve("policy.vault"))) {
            assertEquals(0, vault.signerRules("G22.46.01").size(), "no rule: any trusted signer");
            String sha = "ab".repeat(32);
            Json rule = vault.addSignerRule("G22.46.01", map("kind", "certificate", "sha256", sha), "Quyết định 12/QĐ-UBND");
            assertEquals("G22.46.01", rule.get("agency_code").asString());
            assertEquals(sha, rule.get("rule").get("sha256").asString());
            String id = rule.get("rule_id").asString();
            assertEquals(64, id.length());
            assertEquals(rule, vault.addSignerRule("G22.46.01", map("kind", "certificate", "sha256", sha), null));
            Json org = vault.addSignerRule("G22.46.01",
                    map("kind", "issuer_organization", "issuer", "CN=Root CA", "organization", "UBND phường Hải Châu"), null);
            assertEquals(2, vault.signerRules("G22.46.01").size());
            assertEquals(0, vault.signerRules("G01").size());
            assertEquals(2, vault.signerRules(null).size());

            Json head = vault.logHead();
            InvalidArgumentException bad = assertThrows(InvalidArgumentException.class,
                    () -> vault.addSignerRule("G22.46.01", map("kind", "anyone"), null));
            assertEquals(ResultCode.INVALID_JSON.value(), bad.code());
            bad = assertThrows(InvalidArgumentException.class,
                    () -> vault.addSignerRule("", map("kind", "certificate", "sha256", sha), null));
            assertEquals(ResultCode.INVALID_ARGUMENT.value(), bad.code());
            assertEquals(head, vault.logHead(), "a refused rule changes nothing");

            assertTrue(vault.removeSignerRule(id, "thay đổi"));
            assertFalse(vault.removeSignerRule(id, null));
            assertEquals(org.get("rule_id"), vault.signerRules(null).get(0).get("rule_id"));
            assertTrue(vault.isLogIntact());
        }
    }
}
