package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rv_verify_pdf and rv_vault_verify_pdf over a PDF signed by bindings/testdata/make-signed-pdf.py (the
 * real openssl, the test PKI's officer): PASSED against the root and its CRL, from the caller or the
 * vault; altered or unsigned PDFs are verdicts; bytes that are no PDF are a PdfUnreadableException.
 * The same PDF ingested: its check (rv_vault_pdf_check) and the open option pdf_signatures, whose
 * "refuse_failed" refuses a tampered or unreadable PDF with a ContentRefusedException.
 */
class PdfTest {
    @TempDir
    Path tmp;

    private byte[] signedPdf(TestSupport.Pki pki) throws Exception {
        Path out = tmp.resolve("signed.pdf");
        TestSupport.run(tmp, "python3", TestSupport.script().resolveSibling("make-signed-pdf.py").toString(),
                pki.dir.resolve("officer.pem").toString(), pki.dir.resolve("officer.key").toString(), out.toString());
        return Files.readAllBytes(out);
    }

    private static Map<String, Object> trusted(TestSupport.Pki pki) {
        return map(
                "anchors", List.of(new String(pki.rootPem, StandardCharsets.US_ASCII)),
                "crls", List.of(HexFormat.of().formatHex(pki.crlDer)));
    }

    private static byte[] flipAfter(byte[] pdf, String marker, int skip) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + m.length <= pdf.length; i++) {
            if (Arrays.equals(pdf, i, i + m.length, m, 0, m.length)) {
                byte[] copy = pdf.clone();
                copy[i + m.length + skip] ^= 1;
                return copy;
            }
        }
        throw new IllegalStateException(marker + " not found");
    }

    @Test
    void aSignedPdfPassesAgainstTheRootAndCrl() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] pdf = signedPdf(pki);
        byte[] copy = pdf.clone();
        Json verdict = Verifier.verifyPdf(pdf, trusted(pki));
        assertArrayEquals(copy, pdf, "the PDF is only read");
        assertEquals("PASSED", verdict.get("indication").asString(), verdict.raw());
        assertTrue(verdict.get("sub_indication").isNull());
        assertEquals(1, verdict.get("revisions").asLong());
        assertEquals(1, verdict.get("signatures").size());
        Json s = verdict.get("signatures").get(0);
        for (String key : List.of("field", "kind", "sub_filter", "claimed_time", "reason", "location",
                "signed_revision", "covers_whole_file", "coverage_problem", "modified_after_signing",
                "changes_after_signing", "certification", "verdict")) {
            assertTrue(s.has(key), "no " + key + " in " + s.raw());
        }
        assertEquals("Signature1", s.get("field").asString());
        assertEquals("signature", s.get("kind").asString());
        assertEquals("adbe.pkcs7.detached", s.get("sub_filter").asString());
        assertEquals("Ký số bản sao điện tử", s.get("reason").asString());
        assertEquals("UBND phường Bến Nghé", s.get("location").asString());
        assertTrue(s.get("covers_whole_file").asBoolean());
        assertFalse(s.get("modified_after_signing").asBoolean());
        assertEquals("PASSED", s.get("verdict").get("indication").asString());
        assertEquals("CN=Test Officer", s.get("verdict").get("signer").get("subject").asString());
        assertEquals("GOOD", s.get("verdict").get("revocation").get("status").asString());
        assertEquals(TestSupport.sha256Hex(pki.crlDer), s.get("verdict").get("crls_used").get(0).get("sha256").asString());

        // The options as JSON text, with a validation time.
        String at = TestSupport.now();
        Json again = Verifier.verifyPdf(pdf, Json.stringify(map(
                "anchors", List.of(HexFormat.of().formatHex(pki.rootDer)),
                "crls", List.of(new String(pki.crlPem, StandardCharsets.US_ASCII)),
                "validation_time", at)));
        assertEquals("PASSED", again.get("indication").asString(), again.raw());
        assertEquals(at, again.get("signatures").get(0).get("verdict").get("validation_time").asString());
    }

    @Test
    void withoutTrustItIsIndeterminateAndATamperedPdfFails() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] pdf = signedPdf(pki);
        assertEquals("INDETERMINATE", Verifier.verifyPdf(pdf).get("indication").asString());
        assertEquals("INDETERMINATE", Verifier.verifyPdf(pdf, "{}").get("indication").asString());

        Json bad = Verifier.verifyPdf(flipAfter(pdf, "(Trich luc", 3), trusted(pki));
        assertEquals("FAILED", bad.get("indication").asString(), bad.raw());
        assertEquals("HASH_FAILURE", bad.get("sub_indication").asString(), bad.raw());
    }

    @Test
    void bytesThatAreNoPdfThrowAndBadOptionsAreRefused() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] pdf = signedPdf(pki);
        for (byte[] bytes : List.of("not a PDF at all".getBytes(StandardCharsets.US_ASCII), new byte[0],
                Arrays.copyOf(pdf, 300))) {
            PdfUnreadableException e = assertThrows(PdfUnreadableException.class,
                    () -> Verifier.verifyPdf(bytes, trusted(pki)));
            assertEquals(20, e.code());
            assertEquals(ResultCode.PDF_UNREADABLE, e.resultCode());
            assertEquals("RV_PDF_UNREADABLE", e.codeName());
            assertTrue(e.getMessage().contains("PDF"), e.getMessage());
        }
        assertEquals(ResultCode.NULL_PARAMETER, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyPdf(null, "{}")).resultCode());
        // A policy is not an option (the /SubFilter picks it); an anchor neither PEM nor hex; a bad time.
        assertEquals(ResultCode.INVALID_JSON, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyPdf(pdf, map("policy", "pkcs7-detached"))).resultCode());
        assertEquals(ResultCode.INVALID_ARGUMENT, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyPdf(pdf, map("anchors", List.of("zz not hex")))).resultCode());
        assertEquals(ResultCode.INVALID_ARGUMENT, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyPdf(pdf, "{\"validation_time\":\"yesterday\"}")).resultCode());
        assertEquals(ResultCode.INVALID_UTF8, assertThrows(InvalidArgumentException.class,
                () -> Verifier.verifyPdf(pdf, "{\"validation_time\":\"\uD800\"}")).resultCode());
    }

    @Test
    void aVaultVerifiesWithItsTrustStoreAndChangesNothing() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] pdf = signedPdf(pki);
        Vault closed;
        try (Vault vault = Vault.open(tmp.resolve("pdf.vault"))) {
            TestSupport.trust(vault, pki);
            Json head = vault.logHead();
            Json verdict = vault.verifyPdf(pdf);
            assertEquals("PASSED", verdict.get("indication").asString(), verdict.raw());
            assertEquals("CN=Test Officer",
                    verdict.get("signatures").get(0).get("verdict").get("signer").get("subject").asString());
            assertEquals("PASSED", vault.verifyPdf(pdf, map("validation_time", TestSupport.now()))
                    .get("indication").asString());
            assertEquals("FAILED", vault.verifyPdf(flipAfter(pdf, "(Trich luc", 3), "{}").get("indication").asString());
            assertEquals(head, vault.logHead(), "verifying a PDF writes nothing");
            assertThrows(PdfUnreadableException.class, () -> vault.verifyPdf("garbage".getBytes(StandardCharsets.US_ASCII)));
            closed = vault;
        }
        assertThrows(ClosedException.class, () -> closed.verifyPdf(pdf));

        // A vault without trust: INDETERMINATE, unless the options bring the root and CRL.
        try (Vault empty = Vault.open(tmp.resolve("empty.vault"))) {
            assertEquals("INDETERMINATE", empty.verifyPdf(pdf).get("indication").asString());
            assertEquals("PASSED", empty.verifyPdf(pdf, trusted(pki)).get("indication").asString());
        }
    }

    private static Map<String, Object> meta(String dossier, String mediaType) {
        Map<String, Object> meta = TestSupport.meta(dossier, dossier + "/TLKS");
        meta.put("media_type", mediaType);
        return meta;
    }

    private static String ingest(Vault vault, String dossier, byte[] content) {
        return vault.ingest(meta(dossier, "application/pdf"), content).get("record").get("result_id").asString();
    }

    @Test
    void aStoredPdfsCheckIsTheOneMadeAtIngest() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] pdf = signedPdf(pki);
        Vault closed;
        try (Vault vault = Vault.open(tmp.resolve("check.vault"))) {
            TestSupport.trust(vault, pki);
            String signed = ingest(vault, "H-PDF-1", pdf);
            Json check = vault.pdfCheck(signed);
            assertEquals(List.of("checked_at", "problem", "verdict"),
                    check.asMap().keySet().stream().sorted().toList(), check.raw());
            assertTrue(check.get("checked_at").asString().endsWith("Z"), check.raw());
            assertTrue(check.get("problem").isNull());
            assertEquals("PASSED", check.get("verdict").get("indication").asString(), check.raw());
            assertEquals("CN=Test Officer", check.get("verdict").get("signatures").get(0).get("verdict")
                    .get("signer").get("subject").asString());

            // The default policy stores a tampered PDF, its check FAILED.
            String tampered = ingest(vault, "H-PDF-2", flipAfter(pdf, "(Trich luc", 3));
            assertEquals("FAILED", vault.pdfCheck(tampered).get("verdict").get("indication").asString());

            // Declared a PDF but not readable as one: no verdict, and why.
            String unreadable = ingest(vault, "H-PDF-3", "%PDF-1.7\nnot really".getBytes(StandardCharsets.US_ASCII));
            Json noVerdict = vault.pdfCheck(unreadable);
            assertTrue(noVerdict.get("verdict").isNull(), noVerdict.raw());
            assertFalse(noVerdict.get("problem").asString().isEmpty());

            // Not a PDF: no check at all (JSON null, not an exception).
            String text = vault.ingest(meta("H-PDF-4", "text/plain"), "a plain text result".getBytes(StandardCharsets.UTF_8))
                    .get("record").get("result_id").asString();
            assertTrue(vault.pdfCheck(text).isNull());

            assertThrows(NotFoundException.class, () -> vault.pdfCheck("01M8442DNE2PJSSAEKS0MKZ3CK"));
            assertEquals(ResultCode.INVALID_ARGUMENT,
                    assertThrows(InvalidArgumentException.class, () -> vault.pdfCheck("not-an-id")).resultCode());
            assertEquals(ResultCode.NULL_PARAMETER,
                    assertThrows(InvalidArgumentException.class, () -> vault.pdfCheck(null)).resultCode());
            closed = vault;
        }
        assertThrows(ClosedException.class, () -> closed.pdfCheck("01M8442DNE2PJSSAEKS0MKZ3CK"));
    }

    @Test
    void refuseFailedRefusesAFailedOrUnreadablePdfAndStoresNothing() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        byte[] pdf = signedPdf(pki);
        try (Vault vault = Vault.open(tmp.resolve("refuse.vault"), map("mode", "create", "pdf_signatures", "refuse_failed"))) {
            TestSupport.trust(vault, pki);
            Json head = vault.logHead();
            for (byte[] bad : List.of(flipAfter(pdf, "(Trich luc", 3), "%PDF-1.7\nnot really".getBytes(StandardCharsets.US_ASCII))) {
                ContentRefusedException e = assertThrows(ContentRefusedException.class,
                        () -> ingest(vault, "R-" + bad.length, bad));
                assertEquals(ResultCode.CONTENT_REFUSED, e.resultCode());
                assertTrue(e.getMessage().contains("PDF refused"), e.getMessage());
            }
            assertEquals(head, vault.logHead(), "a refused PDF stores nothing");
            String signed = ingest(vault, "R-signed", pdf);
            assertEquals("PASSED", vault.pdfCheck(signed).get("verdict").get("indication").asString());
        }

        // "ignore": not looked at, so no check; "record" by name is the default.
        for (String policy : List.of("ignore", "record")) {
            try (Vault vault = Vault.open(tmp.resolve(policy + ".vault").toString(), "{\"pdf_signatures\":\"" + policy + "\"}")) {
                String id = ingest(vault, "P-" + policy, flipAfter(pdf, "(Trich luc", 3));
                assertEquals(policy.equals("ignore"), vault.pdfCheck(id).isNull(), policy);
            }
        }

        // Any other value is refused, before a file is made.
        Path bad = tmp.resolve("bad.vault");
        for (Object value : List.of("refuse", "RefuseFailed", "IGNORE", "", 1, true)) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> Vault.open(bad, map("mode", "create", "pdf_signatures", value)), String.valueOf(value));
            assertEquals(ResultCode.INVALID_JSON, e.resultCode(), e.getMessage());
            assertFalse(Files.exists(bad), String.valueOf(value));
        }
    }
}
