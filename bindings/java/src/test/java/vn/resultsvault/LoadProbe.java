package vn.resultsvault;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a second JVM by {@link LibraryLoadingTest}: loads the library as configured by that JVM's
 * properties and environment and prints one line: {@code OK <source>} or {@code ERR <class> <message>}.
 * With the argument {@code roundtrip <dir>} it also checks that Vietnamese text survives a vault.
 */
public final class LoadProbe {
    private LoadProbe() {
    }

    public static void main(String[] args) throws Exception {
        try {
            ResultsVault.load();
            if (args.length == 2 && args[0].equals("roundtrip")) {
                Path file = Path.of(args[1], "probe.vault");
                try (Vault v = Vault.open(file)) {
                    String id = v.ingest(TestSupport.META_JSON, new byte[] {1, 2, 3}).get("record").get("result_id").asString();
                    String name = v.get(id).get("subject").get("name").asString();
                    String path = v.path();
                    boolean same = name.equals("Nguyễn Văn An") && path.equals(file.toString());
                    System.out.println(same ? "ROUNDTRIP OK" : "ROUNDTRIP MISMATCH " + escape(name) + " " + escape(path));
                }
                Files.deleteIfExists(file);
            }
            System.out.println("OK " + ResultsVault.librarySource());
        } catch (ResultsVaultException e) {
            System.out.println("ERR " + e.getClass().getSimpleName() + " " + e.code() + " "
                    + e.getMessage().replace('\n', ' '));
            // Every later use reports the same failure without retrying.
            try {
                ResultsVault.version();
                System.out.println("SECOND OK?");
            } catch (LibraryLoadException again) {
                System.out.println("SECOND " + again.getMessage().equals(e.getMessage()));
            }
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }
}
