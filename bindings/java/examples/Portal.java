// A portal's whole flow with results-vault, written from the READMEs only:
// open a vault, trust the root CA and its CRL, ingest a result, sign it in two phases
// (this program plays the remote signer with java.security.Signature), verify it, let another
// agency reuse it, and check the audit log.
//
// Usage: java -cp <binding classes>:<this>:jna.jar Portal <pki-dir> <work-dir>
//   <pki-dir>  made by bindings/testdata/make-test-pki.sh (root.pem, crl.pem, officer.pem, officer.key)
//   <work-dir> where the vault file is created
// The library: -Dresultsvault.library, else RESULTS_VAULT_LIB, else the system library path.
// Exits 0 when everything is as expected, 1 otherwise.

import vn.resultsvault.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class Portal {
    private static int failures = 0;

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "ok    " : "FAIL  ") + what);
        if (!ok) failures++;
    }

    /** The officer's unencrypted PKCS#8 PEM key ("-----BEGIN PRIVATE KEY-----"). */
    private static PrivateKey readPkcs8(Path pem) throws Exception {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String b64 = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Portal <pki-dir> <work-dir>");
            System.exit(2);
        }
        Path pki = Path.of(args[0]);
        Path work = Path.of(args[1]);
        byte[] rootPem, crlPem, officerPem;
        PrivateKey officerKey;
        try {
            Files.createDirectories(work);
            rootPem = Files.readAllBytes(pki.resolve("root.pem"));
            crlPem = Files.readAllBytes(pki.resolve("crl.pem"));
            officerPem = Files.readAllBytes(pki.resolve("officer.pem"));
            officerKey = readPkcs8(pki.resolve("officer.key"));
        } catch (IOException e) {
            System.err.println("cannot read the PKI or create the work dir: " + e);
            System.exit(2);
            return;
        }

        try {
            run(work, rootPem, crlPem, officerPem, officerKey);
        } catch (ResultsVaultException e) {
            System.err.println(e.getClass().getSimpleName() + " (" + e.codeName() + "): " + e.getMessage());
            System.exit(1);
        }
        if (failures > 0) {
            System.out.println(failures + " check(s) failed");
            System.exit(1);
        }
        System.out.println("all checks passed");
    }

    private static void run(Path work, byte[] rootPem, byte[] crlPem, byte[] officerPem, PrivateKey officerKey)
            throws Exception {
        String subjectId = "001203004567";
        String today = LocalDate.now(ZoneId.of("Asia/Ho_Chi_Minh")).toString();
        ResultsVault.load();   // fail early if the library is missing or of another ABI

        Path vaultPath = work.resolve("portal.vault");
        try (Vault vault = Vault.open(vaultPath.toString())) {
            System.out.println("opened " + vaultPath);

            // Trust the root CA and its current CRL (PEM bytes are accepted).
            TrustStore trust = vault.trustStore();
            trust.addTrustAnchor(rootPem);
            trust.addCrl(crlPem);
            System.out.println("trusting root.pem and crl.pem");

            // Ingest a result: metadata + a small PDF-like file.
            byte[] pdf = ("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% Trích lục khai sinh\n%%EOF\n")
                    .getBytes(StandardCharsets.UTF_8);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("dossier_code", "H01.01-261101-0001");
            meta.put("procedure_code", "1.000466");
            meta.put("document_type", "birth-extract");
            meta.put("document_number", "12/TLKS");
            meta.put("issuer", Map.of("agency_code", "G06.01", "agency_name", "UBND phường Bến Nghé"));
            meta.put("subject", Map.of("kind", "citizen", "id", subjectId, "name", "Nguyễn Văn An"));
            meta.put("issued_at", today);
            meta.put("valid_from", today);
            meta.put("media_type", "application/pdf");
            meta.put("file_name", "trich-luc.pdf");
            meta.put("provenance", Map.of("origin", "born_digital"));
            Json ingested = vault.ingest(meta, pdf);
            String id = ingested.get("record").get("result_id").asString();
            System.out.println("ingested " + id + " (created: " + ingested.get("created").asBoolean() + ")");
            check(ingested.get("created").asBoolean(), "ingest created a new record");

            // Phase 1: the vault prepares what the provider must sign.
            Signing signing = vault.signing();
            Json session = signing.beginSigning(id, officerPem);
            String sessionId = session.get("session_id").asString();
            System.out.println("signing session " + sessionId);

            // The "remote" signer hashes itself: it signs the DER signed attributes (SHA256withRSA).
            byte[] toSign = HexFormat.of().parseHex(session.get("signed_attributes").asString());
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(officerKey);
            rsa.update(toSign);
            byte[] signature = rsa.sign();

            // Phase 2. First a damaged reply: refused, nothing stored, the session stays open.
            byte[] damaged = signature.clone();
            damaged[10] ^= 0x01;
            try {
                signing.completeSigningRaw(sessionId, RawSignatureAlgorithm.RSA_PKCS1, damaged);
                check(false, "a damaged signature is refused");
            } catch (SignatureRefusedException e) {
                check(true, "a damaged signature is refused (" + e.codeName() + ": " + e.getMessage() + ")");
            }
            Json stored = signing.completeSigningRaw(sessionId, RawSignatureAlgorithm.RSA_PKCS1, signature);
            String indication = stored.get("acceptance").get("indication").asString();
            System.out.println("signed   " + id + " by " + stored.get("acceptance").get("signer").get("subject").asString()
                    + " accepted at " + stored.get("proof_of_existence").asString() + ": " + indication);
            check("PASSED".equals(indication), "the signature was accepted as PASSED");

            // Verify.
            Json verdict = vault.verifyRecord(id);
            System.out.println("verify " + id + ": " + verdict.get("summary").asString());
            check(verdict.get("reusable").asBoolean(), "the signed record verifies as reusable");
            check(vault.isReusable(id), "isReusable() agrees");

            // Another agency's procedure asks for the birth extract ("once only").
            Json answer = vault.findReusable(
                    Map.of("subject_kind", "citizen", "subject_id", subjectId,
                            "document_type", "birth-extract", "at", Instant.now().toString()),
                    Map.of("agency_code", "G01.02", "procedure_code", "2.000123",
                            "dossier_code", "H02-0001", "purpose", "xác minh"));
            System.out.println("reuse request for citizen / birth-extract:");
            List<String> handedOut = new ArrayList<>();
            List<Json> results = answer.get("results").elements();
            List<Json> verdicts = answer.get("verdicts").elements();
            for (int i = 0; i < results.size(); i++) {
                String rid = results.get(i).get("result_id").asString();
                handedOut.add(rid);
                byte[] file = vault.readContent(rid);
                System.out.println("  handed out " + rid + ": " + verdicts.get(i).get("summary").asString());
                check(Arrays.equals(file, pdf), "content of " + rid + " read back intact");
            }
            for (Json ex : answer.get("excluded").elements()) {
                System.out.println("  excluded   " + ex.get("result_id").asString() + " (" + ex.get("reason").asString() + ")");
            }
            check(handedOut.equals(List.of(id)), "exactly the signed result is handed out");

            // The audit log.
            Json head = vault.logHead();
            System.out.println("log head: " + head.raw());
            check(vault.isLogIntact(head), "audit log is intact against its head");
            Json report = vault.verifyLog();
            System.out.println("log report: " + report.raw());
            check(report.get("problem_count").asLong() == 0, "verifyLog() reports no problem");
        }
    }
}
