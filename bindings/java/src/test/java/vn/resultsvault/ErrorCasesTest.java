package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures: each code reaches Java as the right exception, and a refused call changes nothing. */
class ErrorCasesTest {
    private static final String UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

    @TempDir
    Path tmp;

    private Vault open(String name) {
        return Vault.open(tmp.resolve(name));
    }

    @Test
    void malformedJsonIsInvalidArgumentAndNothingIsStored() throws Exception {
        byte[] pdf = TestSupport.content("malformed");
        try (Vault vault = open("malformed.vault")) {
            Json headBefore = vault.logHead();

            InvalidArgumentException syntax = assertThrows(InvalidArgumentException.class,
                    () -> vault.ingest("{\"dossier_code\": \"H01\",", pdf));
            assertEquals(3, syntax.code());
            assertEquals(ResultCode.INVALID_JSON, syntax.resultCode());
            assertEquals("RV_INVALID_JSON", syntax.codeName());
            assertTrue(syntax.getMessage().contains("meta_json"), syntax.getMessage());

            // Valid JSON of the wrong shape is refused the same way.
            Map<String, Object> missing = TestSupport.meta("H-M-1", "1/M");
            missing.remove("subject");
            InvalidArgumentException shape = assertThrows(InvalidArgumentException.class, () -> vault.ingest(missing, pdf));
            assertEquals(ResultCode.INVALID_JSON, shape.resultCode());
            assertTrue(shape.getMessage().contains("subject"), shape.getMessage());

            // A value the writer cannot express never reaches the library.
            Map<String, Object> odd = TestSupport.meta("H-M-2", "2/M");
            odd.put("extra", new Object());
            assertEquals(ResultCode.INVALID_JSON,
                    assertThrows(InvalidArgumentException.class, () -> vault.ingest(odd, pdf)).resultCode());

            assertEquals(0, vault.findByHash(TestSupport.sha256Hex(pdf)).size(), "nothing was stored");
            assertEquals(headBefore, vault.logHead(), "nothing was logged");
            assertTrue(vault.verifyLog().get("records").asLong() == 0);
        }
    }

    @Test
    void unknownIdIsNotFoundAndABadIdIsInvalid() {
        try (Vault vault = open("unknown.vault")) {
            NotFoundException nf = assertThrows(NotFoundException.class, () -> vault.get(UNKNOWN_ID));
            assertEquals(6, nf.code());
            assertEquals("RV_NOT_FOUND", nf.codeName());
            assertFalse(nf.getMessage().isEmpty());
            assertThrows(NotFoundException.class, () -> vault.readContent(UNKNOWN_ID));
            assertThrows(NotFoundException.class, () -> vault.verifyRecord(UNKNOWN_ID));
            assertThrows(NotFoundException.class, () -> vault.isReusable(UNKNOWN_ID));
            assertThrows(NotFoundException.class, () -> vault.signing().signatures(UNKNOWN_ID));
            assertThrows(NotFoundException.class, () -> vault.envelope(UNKNOWN_ID));
            assertThrows(NotFoundException.class, () -> vault.history(UNKNOWN_ID));
            assertThrows(NotFoundException.class, () -> vault.signing().signatureChecks(UNKNOWN_ID));
            assertThrows(NotFoundException.class, () -> vault.trustStore().keptCrl("00".repeat(32)));

            InvalidArgumentException bad = assertThrows(InvalidArgumentException.class, () -> vault.get("not-a-ulid"));
            assertEquals(ResultCode.INVALID_ARGUMENT, bad.resultCode());
            assertEquals(ResultCode.INVALID_ARGUMENT,
                    assertThrows(InvalidArgumentException.class, () -> vault.findByHash("xyz")).resultCode());
            // A NULL where a value is required: the library's RV_NULL_PARAMETER.
            InvalidArgumentException nul = assertThrows(InvalidArgumentException.class, () -> vault.get(null));
            assertEquals(ResultCode.NULL_PARAMETER, nul.resultCode());
            assertEquals(ResultCode.NULL_PARAMETER, assertThrows(InvalidArgumentException.class,
                    () -> vault.ingest(TestSupport.META_JSON, null)).resultCode());
            // A NUL inside a Java string would cut the C string short: refused before the call.
            InvalidArgumentException cut = assertThrows(InvalidArgumentException.class,
                    () -> vault.get(UNKNOWN_ID + "\u0000garbage"));
            assertEquals(ResultCode.INVALID_ARGUMENT, cut.resultCode());
            assertTrue(cut.getMessage().contains("NUL"), cut.getMessage());
        }
    }

    @Test
    void everyFamilyMapsToItsException() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        try (Vault vault = open("families.vault")) {
            // Trust refused: a CRL with no stored issuer, an officer certificate as an anchor.
            assertEquals(10, assertThrows(TrustRefusedException.class, () -> vault.trustStore().addCrl(pki.crlDer)).code());
            assertThrows(TrustRefusedException.class, () -> vault.trustStore().addTrustAnchor(pki.officerDer));
            assertEquals(ResultCode.INVALID_ARGUMENT,
                    assertThrows(InvalidArgumentException.class, () -> vault.trustStore().addTrustAnchor(new byte[] {1, 2, 3})).resultCode());
            TestSupport.trust(vault, pki);

            // Content refused, conflict.
            assertEquals(15, assertThrows(ContentRefusedException.class,
                    () -> vault.ingest(TestSupport.meta("H-F-1", "1/F"), new byte[0])).code());
            String id = vault.ingest(TestSupport.meta("H-F-1", "1/F"), TestSupport.content("f1"))
                    .get("record").get("result_id").asString();
            ConflictException conflict = assertThrows(ConflictException.class,
                    () -> vault.ingest(TestSupport.meta("H-F-1", "1/F"), TestSupport.content("other")));
            assertEquals(7, conflict.code());

            // Signing request refused: a CA certificate cannot sign results; unknown digest.
            SigningRequestRefusedException srr = assertThrows(SigningRequestRefusedException.class,
                    () -> vault.signing().beginSigning(id, pki.rootDer));
            assertEquals(11, srr.code());
            assertEquals(ResultCode.INVALID_ARGUMENT, assertThrows(InvalidArgumentException.class,
                    () -> vault.signing().beginSigning(id, pki.officerDer, "MD5")).resultCode());

            // Reuse refused: a requester without a purpose.
            Map<String, Object> requester = TestSupport.requester();
            requester.put("purpose", "");
            assertEquals(14, assertThrows(ReuseRefusedException.class,
                    () -> vault.findReusable(TestSupport.query(), requester)).code());

            // Invalid transition: supersede by itself or revoke twice.
            Map<String, Object> change = map("reason", "r", "decision_ref", "1/QĐ", "at", TestSupport.now(), "by", "G06.01");
            vault.revoke(id, change);
            assertEquals(9, assertThrows(InvalidTransitionException.class, () -> vault.revoke(id, change)).code());
        }
        // File: "open" needs an existing file, "create" a new one, and a non-vault is refused.
        Path missing = tmp.resolve("missing.vault");
        VaultFileException vf = assertThrows(VaultFileException.class, () -> Vault.open(missing.toString(), map("mode", "open")));
        assertEquals(16, vf.code());
        assertFalse(Files.exists(missing));
        assertThrows(VaultFileException.class, () -> Vault.open(tmp.resolve("families.vault").toString(), "{\"mode\":\"create\"}"));
        Path text = tmp.resolve("not-a-vault.txt");
        Files.writeString(text, "this is not SQLite, and certainly not a vault\n".repeat(100));
        ResultsVaultException notVault = assertThrows(ResultsVaultException.class, () -> Vault.open(text));
        assertTrue(notVault instanceof VaultFileException || notVault instanceof StorageException, notVault.toString());
        // Options: unknown fields are refused.
        assertEquals(ResultCode.INVALID_JSON, assertThrows(InvalidArgumentException.class,
                () -> Vault.open(tmp.resolve("o.vault").toString(), "{\"no_such_option\":1}")).resultCode());
    }

    @Test
    void exceptionClassesFollowTheCodes() {
        Class<?>[] expected = {null, InvalidArgumentException.class, InvalidArgumentException.class,
            InvalidArgumentException.class, InvalidArgumentException.class, ClosedException.class,
            NotFoundException.class, ConflictException.class, IntegrityException.class,
            InvalidTransitionException.class, TrustRefusedException.class, SigningRequestRefusedException.class,
            SessionUnusableException.class, SignatureRefusedException.class, ReuseRefusedException.class,
            ContentRefusedException.class, VaultFileException.class, StorageException.class,
            MalformedDataException.class, InternalErrorException.class, PdfUnreadableException.class,
            ProviderDeclinedException.class, ProviderUnreachableException.class, ProviderBadAnswerException.class,
            ProviderPendingException.class, ProviderOutcomeUnknownException.class, ProviderConfigException.class};
        for (int code = 1; code < expected.length; code++) {
            ResultsVaultException e = ResultsVaultException.forCode(code, "m" + code);
            assertEquals(expected[code], e.getClass(), "code " + code);
            assertEquals(code, e.code());
            assertEquals(ResultsVault.resultName(code), e.codeName());
            assertEquals("m" + code, e.getMessage());
        }
        ResultsVaultException unknown = ResultsVaultException.forCode(42, "?");
        assertInstanceOf(InternalErrorException.class, unknown);
        assertEquals("RV_UNKNOWN", unknown.codeName());
        assertNull(unknown.resultCode());
    }

    @Test
    void wrongSignatureIsRefusedAndTheSessionStillCompletes() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        try (Vault vault = open("wrong-signature.vault")) {
            TestSupport.trust(vault, pki);
            String id = vault.ingest(TestSupport.META_JSON, TestSupport.content("sig")).get("record").get("result_id").asString();
            Json session = vault.signing().beginSigning(id, pki.officerPem);
            String sid = session.get("session_id").asString();
            byte[] attrs = HexFormat.of().parseHex(session.get("signed_attributes").asString());

            // A signature over other bytes, and one with a flipped bit.
            byte[] other = TestSupport.rsaSign(pki.officerKey, "not the signed attributes".getBytes(StandardCharsets.UTF_8));
            SignatureRefusedException refused = assertThrows(SignatureRefusedException.class,
                    () -> vault.signing().completeSigningRaw(sid, RawSignatureAlgorithm.RSA_PKCS1, other));
            assertEquals(13, refused.code());
            assertFalse(refused.getMessage().isEmpty());
            byte[] good = TestSupport.rsaSign(pki.officerKey, attrs);
            byte[] flipped = good.clone();
            flipped[10] ^= 1;
            assertThrows(SignatureRefusedException.class, () -> vault.signing().completeSigningRaw(sid, RawSignatureAlgorithm.RSA_PKCS1, flipped));
            assertEquals(ResultCode.INVALID_ARGUMENT, assertThrows(InvalidArgumentException.class,
                    () -> vault.signing().completeSigningRaw(sid, "RSA_MD5", good)).resultCode());

            // Nothing stored, the session still open.
            assertEquals(0, vault.signing().signatures(id).size());
            assertEquals("OPEN", vault.signing().signingSession(sid).get("state").asString());
            assertFalse(vault.isReusable(id));

            // The right reply completes it.
            Json stored = vault.signing().completeSigningRaw(sid, RawSignatureAlgorithm.RSA_PKCS1, good);
            assertEquals("PASSED", stored.get("acceptance").get("indication").asString());
            assertEquals("COMPLETED", vault.signing().signingSession(sid).get("state").asString());
            assertTrue(vault.isReusable(id));
            // A different reply after completion: the session is no longer usable.
            assertEquals(12, assertThrows(SessionUnusableException.class,
                    () -> vault.signing().completeSigningRaw(sid, RawSignatureAlgorithm.RSA_PKCS1, other)).code());
        }
    }

    @Test
    void useAfterCloseIsClosed() {
        Vault vault = open("closed.vault");
        String id = vault.ingest(TestSupport.META_JSON, TestSupport.content("closed")).get("record").get("result_id").asString();
        assertFalse(vault.isClosed());
        TrustStore trust = vault.trustStore();
        Signing signing = vault.signing();
        assertEquals(0, trust.trustItems().size());
        vault.close();
        assertTrue(vault.isClosed());
        // The views share the vault's handle: closed through them too, whenever they were obtained.
        assertThrows(ClosedException.class, trust::trustItems);
        assertThrows(ClosedException.class, () -> signing.signatures(id));
        assertThrows(ClosedException.class, () -> vault.trustStore().keptCrl("00".repeat(32)));
        assertThrows(ClosedException.class, () -> vault.signing().signingSession("no-such-session"));
        ClosedException closed = assertThrows(ClosedException.class, () -> vault.get(id));
        assertEquals(5, closed.code());
        assertEquals("RV_CLOSED", closed.codeName());
        assertThrows(ClosedException.class, vault::path);
        assertThrows(ClosedException.class, () -> vault.isReusable(id));
        assertThrows(ClosedException.class, () -> vault.countReusable(TestSupport.query(), TestSupport.requester()));
        vault.close(); // a second close does nothing
        // The file was released: it opens again.
        try (Vault again = Vault.open(tmp.resolve("closed.vault").toString(), map("mode", "open"))) {
            assertEquals(id, again.get(id).get("result_id").asString());
        }
    }

    @Test
    void aForgottenVaultIsFreedByTheCleaner() throws Exception {
        long before = NativeVault.releasedHandles();
        openAndForget(tmp.resolve("forgotten.vault"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (NativeVault.releasedHandles() == before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(NativeVault.releasedHandles() > before, "the cleaner freed the handle");
        try (Vault again = Vault.open(tmp.resolve("forgotten.vault").toString(), map("mode", "open"))) {
            assertEquals(1, again.verifyLog().get("records").asLong());
        }
    }

    private static void openAndForget(Path file) {
        Vault v = Vault.open(file);
        v.ingest(TestSupport.META_JSON, TestSupport.content("forgotten"));
    }

    @Test
    void nullThroughTheRawInterfaceIsNullParameter() {
        ResultsVault.load();
        String file = tmp.resolve("raw.vault").toString();
        PointerByReference out = new PointerByReference();
        assertEquals(1, RvNative.rv_vault_open(null, null, out));
        assertTrue(RvNative.rv_last_error_message().contains("path"), RvNative.rv_last_error_message());
        assertNull(out.getValue(), "an out-param is written only on RV_OK");
        assertEquals(1, RvNative.rv_vault_open(file, null, null));
        assertEquals(0, RvNative.rv_vault_open(file, null, out));
        VaultHandle h = new VaultHandle(out.getValue());
        try {
            PointerByReference json = new PointerByReference();
            assertEquals(1, RvNative.rv_vault_get(h, null, json));
            assertNull(json.getValue());
            assertEquals(1, RvNative.rv_vault_get(null, UNKNOWN_ID, json));
            assertEquals("vault is NULL", RvNative.rv_last_error_message());
            assertEquals(1, RvNative.rv_vault_get(h, UNKNOWN_ID, null));
            // NULL content with a non-zero length.
            assertEquals(1, RvNative.rv_vault_ingest(h, TestSupport.META_JSON, null, new SizeT(5), json));
            assertEquals(1, RvNative.rv_vault_read_content(h, UNKNOWN_ID, null, new SizeTByReference()));
            assertEquals(1, RvNative.rv_verify_detached(null, new SizeT(3), null, new SizeT(0), "{}", json));
            assertEquals(1, RvNative.rv_vault_add_trust_anchor(h, null, new SizeT(1), json));
            // Optional outs may be NULL.
            assertEquals(0, RvNative.rv_vault_verify_log(h, null, null, null));
            ByteByReference intact = new ByteByReference((byte) 7);
            assertEquals(0, RvNative.rv_vault_verify_log(h, null, intact, null));
            assertEquals(1, intact.getValue());
            // Freeing NULL is ignored.
            RvNative.rv_string_free(null);
            RvNative.rv_bytes_free(null, new SizeT(0));
            assertEquals("RV_NULL_PARAMETER", RvNative.rv_result_name(1));
            // A raw string answer, freed by hand.
            PointerByReference path = new PointerByReference();
            assertEquals(0, RvNative.rv_vault_path(h, path));
            Pointer p = path.getValue();
            assertEquals(file, p.getString(0, "UTF-8"));
            RvNative.rv_string_free(p);
            // Close twice: the second is RV_CLOSED, and calls after it too.
            assertEquals(0, RvNative.rv_vault_close(h));
            assertEquals(5, RvNative.rv_vault_close(h));
            assertEquals(5, RvNative.rv_vault_get(h, UNKNOWN_ID, json));
        } finally {
            RvNative.rv_vault_free(h);
        }
        RvNative.rv_vault_free(null);
    }

    @Test
    void unpairedSurrogatesHaveAClearOutcome() throws Exception {
        String lone = "Nguy\uD800n Văn An";
        try (Vault vault = open("surrogate.vault")) {
            // The wrapper refuses it as the library refuses invalid UTF-8, and stores nothing:
            Map<String, Object> meta = TestSupport.meta("H-S-1", "1/S");
            TestSupport.<Map<String, Object>>cast(meta.get("subject")).put("name", lone);
            byte[] pdf = TestSupport.content("surrogate");
            InvalidArgumentException fromMap = assertThrows(InvalidArgumentException.class, () -> vault.ingest(meta, pdf));
            assertEquals(ResultCode.INVALID_UTF8, fromMap.resultCode());
            assertTrue(fromMap.getMessage().contains("surrogate"), fromMap.getMessage());
            String text = TestSupport.META_JSON.replace("Nguyễn Văn An", lone);
            assertEquals(ResultCode.INVALID_UTF8,
                    assertThrows(InvalidArgumentException.class, () -> vault.ingest(text, pdf)).resultCode());
            assertEquals(ResultCode.INVALID_UTF8,
                    assertThrows(InvalidArgumentException.class, () -> vault.get("\uDC00" + UNKNOWN_ID)).resultCode());
            assertEquals(0, vault.findByHash(TestSupport.sha256Hex(pdf)).size());
            // A valid pair (an emoji) is fine.
            Map<String, Object> emoji = TestSupport.meta("H-S-2", "2/S");
            TestSupport.<Map<String, Object>>cast(emoji.get("subject")).put("name", "Nguyễn Văn An \uD83D\uDE00");
            String id = vault.ingest(emoji, pdf).get("record").get("result_id").asString();
            assertEquals("Nguyễn Văn An \uD83D\uDE00", vault.get(id).get("subject").get("name").asString());
        }
        // Through the raw interface, JNA's encoder (String.getBytes(UTF-8)) replaces the unpaired
        // surrogate with '?': the library receives valid UTF-8 and stores the replacement.
        String file = tmp.resolve("surrogate-raw.vault").toString();
        PointerByReference out = new PointerByReference();
        assertEquals(0, RvNative.rv_vault_open(file, null, out));
        VaultHandle h = new VaultHandle(out.getValue());
        try {
            String text = TestSupport.META_JSON.replace("Nguyễn Văn An", lone);
            byte[] pdf = TestSupport.content("surrogate-raw");
            PointerByReference json = new PointerByReference();
            assertEquals(0, RvNative.rv_vault_ingest(h, text, pdf, new SizeT(pdf.length), json));
            Pointer p = json.getValue();
            Json answer = Json.parse(p.getString(0, "UTF-8"));
            RvNative.rv_string_free(p);
            assertEquals("Nguy?n Văn An", answer.get("record").get("subject").get("name").asString());
        } finally {
            RvNative.rv_vault_close(h);
            RvNative.rv_vault_free(h);
        }
    }

    @Test
    void contentComesBackByteForByte() {
        byte[] all = new byte[256 * 4];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        try (Vault vault = open("bytes.vault")) {
            String id = vault.ingest(TestSupport.meta("H-C-1", "1/C"), all).get("record").get("result_id").asString();
            assertArrayEquals(all, vault.readContent(id));
            assertEquals(all.length, vault.get(id).get("content").get("size").asLong());
        }
    }
}
