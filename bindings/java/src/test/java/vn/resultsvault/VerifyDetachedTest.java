package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rv_verify_detached over CMS made by the real `openssl cms -sign`, without a vault. */
class VerifyDetachedTest {
    @TempDir
    Path tmp;

    private byte[] data;

    private byte[] opensslSign(TestSupport.Pki pki, String... extra) throws Exception {
        data = ("Trích lục khai sinh số 12/TLKS\n\u0000\u0001binary tail " + extra.length).getBytes(StandardCharsets.UTF_8);
        Path in = tmp.resolve("data.bin");
        Path out = tmp.resolve("data" + extra.length + ".cms");
        Files.write(in, data);
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "cms", "-sign", "-binary", "-outform", "DER",
                "-md", "sha256", "-signer", pki.dir.resolve("officer.pem").toString(),
                "-inkey", pki.dir.resolve("officer.key").toString(), "-in", in.toString(), "-out", out.toString()));
        cmd.addAll(List.of(extra));
        TestSupport.run(tmp, cmd.toArray(new String[0]));
        return Files.readAllBytes(out);
    }

    private static Map<String, Object> params(TestSupport.Pki pki, Object policy) {
        Map<String, Object> p = map(
                "anchors", List.of(new String(pki.rootPem, StandardCharsets.US_ASCII)),
                "crls", List.of(HexFormat.of().formatHex(pki.crlDer)));
        if (policy != null) {
            p.put("policy", policy);
        }
        return p;
    }

    private static String indication(Json verdicts) {
        assertEquals(1, verdicts.size(), verdicts.raw());
        return verdicts.get(0).get("indication").asString();
    }

    @Test
    void opensslCmsPassesAndTamperedDataDoesNot() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] cms = opensslSign(pki);

        // Plain `openssl cms -sign` has no ESS signing-certificate attribute: it passes under the
        // "pkcs7-detached" policy (adbe.pkcs7.detached PDF signatures)...
        Json verdicts = Verifier.verifyDetached(cms, data, params(pki, "pkcs7-detached"));
        assertEquals("PASSED", indication(verdicts), verdicts.raw());
        assertEquals("CN=Test Officer", verdicts.get(0).get("signer").get("subject").asString());
        assertEquals("GOOD", verdicts.get(0).get("revocation").get("status").asString());

        // ...but not under the default CAdES baseline policy, which requires it.
        Json strict = Verifier.verifyDetached(cms, data, Json.stringify(params(pki, null)));
        assertNotEquals("PASSED", indication(strict), strict.raw());

        // Tampered content, by one bit: FAILED (or INDETERMINATE), never PASSED, and not an exception.
        byte[] tampered = data.clone();
        tampered[tampered.length - 1] ^= 1;
        Json bad = Verifier.verifyDetached(cms, tampered, params(pki, "pkcs7-detached"));
        assertTrue(Set.of("FAILED", "INDETERMINATE").contains(indication(bad)), bad.raw());
        assertEquals("FAILED", indication(bad), "a hash mismatch is FAILED: " + bad.raw());

        // Another anchor: not PASSED either.
        Map<String, Object> stranger = params(pki, "pkcs7-detached");
        stranger.put("anchors", List.of(HexFormat.of().formatHex(pki.officerDer)));
        stranger.remove("crls");
        assertNotEquals("PASSED", indication(Verifier.verifyDetached(cms, data, stranger)));
    }

    @Test
    void cadesCmsPassesTheDefaultPolicy() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] cms = opensslSign(pki, "-cades");
        Json verdicts = Verifier.verifyDetached(cms, data, params(pki, null));
        assertEquals("PASSED", indication(verdicts), verdicts.raw());
        assertEquals("results-vault/cades-baseline-b", verdicts.get(0).get("policy").asString());
        byte[] tampered = data.clone();
        tampered[0] ^= 0x20;
        assertEquals("FAILED", indication(Verifier.verifyDetached(cms, tampered, params(pki, null))));
    }

    @Test
    void aVaultSignatureVerifiesElsewhereWithTheVaultsTrustMaterial() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        try (Vault vault = Vault.open(tmp.resolve("export.vault"))) {
            TestSupport.trust(vault, pki);
            String id = vault.ingest(TestSupport.META_JSON, TestSupport.content("export")).get("record").get("result_id").asString();
            Json stored = TestSupport.sign(vault, id, pki);
            byte[] cms = HexFormat.of().parseHex(stored.get("cms").asString());
            Json material = vault.trustStore().trustMaterial(); // {"anchors": [hex], "intermediates": [], "crls": [hex]}
            Json verdicts = Verifier.verifyDetached(cms, vault.envelope(id), material.asMap());
            assertEquals("PASSED", indication(verdicts), verdicts.raw());
            // And the CMS attaches again as is: the same signature.
            assertEquals(stored.get("sha256"), vault.signing().attachSignature(id, cms).get("sha256"));
            assertEquals(1, vault.signing().signatures(id).size());
        }
    }

    @Test
    void badParametersAreInvalidArguments() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] cms = opensslSign(pki);
        assertEquals(ResultCode.INVALID_JSON, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyDetached(cms, data, "{}")).resultCode(), "anchors are required");
        assertEquals(ResultCode.INVALID_ARGUMENT, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyDetached(cms, data, map("anchors", List.of("zz")))).resultCode());
        assertEquals(ResultCode.INVALID_ARGUMENT, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyDetached(cms, data, params(pki, "no-such-policy"))).resultCode());
        assertEquals(ResultCode.NULL_PARAMETER, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyDetached(null, data, params(pki, null))).resultCode());
        // Garbage instead of a CMS: a verdict, not an exception.
        Json garbage = Verifier.verifyDetached("not a CMS".getBytes(StandardCharsets.UTF_8), data, params(pki, null));
        assertNotEquals("PASSED", indication(garbage));
    }
}
