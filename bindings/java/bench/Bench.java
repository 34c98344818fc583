import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import vn.resultsvault.Json;
import vn.resultsvault.Vault;

/**
 * Times the Java binding's hot calls on an existing vault and prints one JSON line:
 * {"lang":"java","verify_json_us":..,"verify_nojson_us":..,"reuse_json_us":..,"iterations":n}
 * (medians in microseconds, per call, after a JIT warm-up).
 *
 * <p>Usage: Bench <vault-path> <result-id> <query-json> <requester-json> <iterations>
 *
 * <p>Note: every findReusable call records a reuse event in the vault (it writes).
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: Bench <vault-path> <result-id> <query-json> <requester-json> <iterations>");
            System.exit(2);
        }
        String path = args[0];
        String id = args[1];
        String query = args[2];
        String requester = args[3];
        int iterations = Integer.parseInt(args[4]);
        if (iterations < 1) {
            System.err.println("iterations must be at least 1");
            System.exit(2);
        }
        // RV_BENCH_AT: the validation time the Rust side of benches/ffi.rs uses (default now).
        String at = System.getenv("RV_BENCH_AT");
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("mode", "open");
        try (Vault vault = Vault.open(path, options)) {
            // Sanity: the answers must be what the bench claims to time.
            if (!vault.isReusable(id, at)) {
                System.err.println("warning: " + id + " is not reusable; timing the negative path");
            }
            if (vault.findReusable(query, requester).get("results").size() == 0) {
                System.err.println("warning: the reuse query hands nothing out; timing the empty answer");
            }
            int warmup = Math.max(200, Math.min(iterations, 2000));
            long sink = 0;
            for (int i = 0; i < warmup; i++) {
                sink += verifyJson(vault, id, at);
                sink += vault.isReusable(id, at) ? 1 : 0;
                sink += reuseJson(vault, query, requester);
            }
            // Each call is timed in its own loop: findReusable writes (a reuse event), and a read
            // right after a write would pay for it.
            long[] verifyJson = new long[iterations];
            long[] verifyNoJson = new long[iterations];
            long[] reuseJson = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                sink += verifyJson(vault, id, at);
                verifyJson[i] = System.nanoTime() - t0;
            }
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                sink += vault.isReusable(id, at) ? 1 : 0;
                verifyNoJson[i] = System.nanoTime() - t0;
            }
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                sink += reuseJson(vault, query, requester);
                reuseJson[i] = System.nanoTime() - t0;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("lang", "java");
            out.put("verify_json_us", medianMicros(verifyJson));
            out.put("verify_nojson_us", medianMicros(verifyNoJson));
            out.put("reuse_json_us", medianMicros(reuseJson));
            out.put("iterations", iterations);
            System.out.println(Json.stringify(out));
            if (sink == Long.MIN_VALUE) {
                System.err.println(sink); // keeps the results alive for the JIT
            }
        }
    }

    /** verifyRecord with its JSON parsed and read. */
    private static long verifyJson(Vault vault, String id, String at) {
        Json verdict = vault.verifyRecord(id, at);
        return verdict.get("reusable").asBoolean() ? verdict.get("signatures").size() : -1;
    }

    /** findReusable with its JSON parsed and read. */
    private static long reuseJson(Vault vault, String query, String requester) {
        Json answer = vault.findReusable(query, requester);
        return answer.get("results").size() + answer.get("verdicts").size();
    }

    private static double medianMicros(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return Math.round(median / 100.0) / 10.0; // microseconds, 0.1 precision
    }
}
