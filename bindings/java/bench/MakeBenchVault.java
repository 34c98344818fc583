import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import vn.resultsvault.Json;
import vn.resultsvault.RawSignatureAlgorithm;
import vn.resultsvault.Vault;

/**
 * Makes a vault for {@link Bench} with the tests' flow: trusts the test PKI's root and CRL, ingests
 * one result, signs it in two phases (SHA256withRSA by the officer's key) and prints the bench's
 * arguments, one per line: vault path, result id, query JSON, requester JSON.
 *
 * <p>Usage: MakeBenchVault <pki-dir (from make-test-pki.sh)> <new-vault-path>
 */
public final class MakeBenchVault {
    private MakeBenchVault() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MakeBenchVault <pki-dir> <new-vault-path>");
            System.exit(2);
        }
        Path pki = Path.of(args[0]);
        String meta = "{\"dossier_code\":\"H01.01-261101-0001\",\"procedure_code\":\"1.000466\","
                + "\"document_type\":\"birth-extract\",\"document_number\":\"12/TLKS\","
                + "\"issuer\":{\"agency_code\":\"G06.01\",\"agency_name\":\"UBND phường Bến Nghé\"},"
                + "\"subject\":{\"kind\":\"citizen\",\"id\":\"001203004567\",\"name\":\"Nguyễn Văn An\"},"
                + "\"issued_at\":\"2026-11-01\",\"valid_from\":\"2026-11-01\",\"media_type\":\"application/pdf\","
                + "\"file_name\":\"trich-luc.pdf\",\"provenance\":{\"origin\":\"born_digital\"}}";
        try (Vault vault = Vault.open(args[1], "{\"mode\":\"create\"}")) {
            vault.trustStore().addTrustAnchor(Files.readAllBytes(pki.resolve("root.der")));
            vault.trustStore().addCrl(Files.readAllBytes(pki.resolve("crl.der")));
            byte[] pdf = "%PDF-1.7\n% bench content\n".repeat(200).getBytes(StandardCharsets.US_ASCII);
            String id = vault.ingest(meta, pdf).get("record").get("result_id").asString();
            Json session = vault.signing().beginSigning(id, Files.readAllBytes(pki.resolve("officer.pem")));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(officerKey(pki.resolve("officer.key")));
            rsa.update(HexFormat.of().parseHex(session.get("signed_attributes").asString()));
            vault.signing().completeSigningRaw(session.get("session_id").asString(), RawSignatureAlgorithm.RSA_PKCS1, rsa.sign());
            if (!vault.isReusable(id)) {
                throw new IllegalStateException("the signed result is not reusable: " + vault.verifyRecord(id));
            }
            String at = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            System.out.println(args[1]);
            System.out.println(id);
            System.out.println("{\"subject_kind\":\"citizen\",\"subject_id\":\"001203004567\","
                    + "\"document_type\":\"birth-extract\",\"at\":\"" + at + "\"}");
            System.out.println("{\"agency_code\":\"G01.02\",\"procedure_code\":\"2.000123\","
                    + "\"dossier_code\":\"H02-0001\",\"purpose\":\"xác minh\"}");
        }
    }

    private static PrivateKey officerKey(Path file) throws Exception {
        String b64 = Files.readString(file, StandardCharsets.US_ASCII)
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }
}
