// A portal that uses the packaged jar alone (bindings/java/build-jar.sh): no library installed on
// the system, no RESULTS_VAULT_LIB, no -Dresultsvault.library, no jna.library.path. JNA finds no
// libresults_vault on the system library path and extracts the copy the jar carries
// (linux-x86-64/libresults_vault.so). The program creates a vault, ingests a result, reads it back
// (also after reopening the file), and reports which library file the process really mapped.
//
// Usage: java -cp results-vault-<version>.jar:/usr/share/java/jna.jar JarPortal <work-dir> [--expect-bundled]
//   --expect-bundled  fail unless the library loaded is the jar's copy: the binding says so, and no
//                     file named libresults_vault* is mapped into the process (/proc/self/maps)
// Prints "LIBRARY_FILE <path>" (the file the process mapped) and exits 0 when every check passes.
// bindings/java/package-test.sh compiles and runs it as a portal would, from outside the repository.

import vn.resultsvault.Json;
import vn.resultsvault.ResultsVault;
import vn.resultsvault.ResultsVaultException;
import vn.resultsvault.Vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class JarPortal {
    private static int failures = 0;

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "ok    " : "FAIL  ") + what);
        if (!ok) failures++;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || (args.length == 2 && !args[1].equals("--expect-bundled"))) {
            System.err.println("usage: JarPortal <work-dir> [--expect-bundled]");
            System.exit(2);
        }
        Path work = Path.of(args[0]);
        boolean expectBundled = args.length == 2;
        Files.createDirectories(work);

        try {
            run(work, expectBundled);
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

    private static void run(Path work, boolean expectBundled) throws Exception {
        ResultsVault.load();   // fail early (LibraryLoadException) if no library can be found
        String source = ResultsVault.librarySource();
        System.out.println("library: " + source + ", version " + ResultsVault.version()
                + ", ABI " + ResultsVault.abiVersion());
        check(ResultsVault.abiVersion() == ResultsVault.EXPECTED_ABI_VERSION, "the library's ABI is the binding's");

        // Which mapped file is the library: the paths the binding names, also with symbolic links
        // resolved (the kernel maps the target). JNA extracts the jar's copy to a temporary file
        // named jna*.tmp and deletes it once loaded, so "(deleted)" follows it in /proc/self/maps.
        Set<String> named = new LinkedHashSet<>();
        Set<String> candidates = new LinkedHashSet<>();
        Matcher paths = Pattern.compile("/[^\\s()!,]+").matcher(source);
        while (paths.find()) {
            candidates.add(paths.group());
            try {
                candidates.add(Path.of(paths.group()).toRealPath().toString());
            } catch (IOException e) {
                // JNA deletes the copy it extracted once it is loaded
            }
        }
        Set<String> mapped = new LinkedHashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 6 || !f[5].startsWith("/")) continue;
            if (f[5].contains("libresults_vault")) named.add(f[5]);
            if (candidates.contains(f[5].replace(" (deleted)", ""))) mapped.add(f[5]);
        }
        for (String m : mapped) System.out.println("LIBRARY_FILE " + m);
        for (String n : named) System.out.println("MAPPED_BY_NAME " + n);
        check(mapped.size() == 1, "exactly one mapped file is the library the binding loaded");
        if (expectBundled) {
            check(source.startsWith("the copy bundled on the class path ("), "the binding loaded the copy in the jar");
            check(named.isEmpty(), "no libresults_vault* from the system or the repository is mapped");
        }

        byte[] content = ("%PDF-1.7\n% Trích lục khai sinh, jar portal check\n" + System.nanoTime() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, Object> meta = Map.ofEntries(
                Map.entry("dossier_code", "H01.01-261101-0009"),
                Map.entry("procedure_code", "1.000466"),
                Map.entry("document_type", "birth-extract"),
                Map.entry("document_number", "19/TLKS"),
                Map.entry("issuer", Map.of("agency_code", "G06.01", "agency_name", "UBND phường Bến Nghé")),
                Map.entry("subject", Map.of("kind", "citizen", "id", "001203004567", "name", "Nguyễn Văn An")),
                Map.entry("issued_at", "2026-11-01"),
                Map.entry("valid_from", "2026-11-01"),
                Map.entry("media_type", "application/pdf"),
                Map.entry("file_name", "trich-luc.pdf"),
                Map.entry("provenance", Map.of("origin", "born_digital")));
        Path file = work.resolve("portal.vault");
        String id;
        try (Vault vault = Vault.open(file)) {
            Json ingested = vault.ingest(meta, content);
            id = ingested.get("record").get("result_id").asString();
            check(ingested.get("created").asBoolean(), "ingest created result " + id);
            check(Arrays.equals(content, vault.readContent(id)), "the content reads back byte for byte");
            Json again = vault.ingest(meta, content);
            check(!again.get("created").asBoolean() && id.equals(again.get("record").get("result_id").asString()),
                    "the same result ingested again is the stored one");
        }
        check(Files.isRegularFile(file), "the vault file exists: " + file);
        try (Vault vault = Vault.open(file)) {
            Json record = vault.get(id);
            check("Nguyễn Văn An".equals(record.get("subject").get("name").asString()),
                    "after reopening, the record's metadata is there (UTF-8 intact)");
            check(Arrays.equals(content, vault.readContent(id)), "after reopening, the content reads back");
            check(vault.isLogIntact(), "the audit log is intact");
            List<Json> history = vault.history(id).elements();
            check(!history.isEmpty(), "the record has its history (" + history.size() + " event(s))");
        }
    }
}
