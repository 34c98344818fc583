package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One vault shared by many threads, as a portal's request threads share it. */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 6;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void eightThreadsShareOneVault() throws Exception {
        TestSupport.Pki pki = TestSupport.pki();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (Vault vault = Vault.open(tmp.resolve("shared.vault"))) {
            TestSupport.trust(vault, pki);
            String signed = vault.ingest(TestSupport.META_JSON, TestSupport.content("signed"))
                    .get("record").get("result_id").asString();
            String signature = TestSupport.sign(vault, signed, pki).get("sha256").asString();
            CyclicBarrier start = new CyclicBarrier(THREADS);

            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                Callable<List<String>> work = () -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<String> mine = new ArrayList<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        // Ingest a distinct result.
                        byte[] content = TestSupport.content("thread-" + thread + "-round-" + r);
                        Json ingested = vault.ingest(TestSupport.meta("H-T" + thread + "-" + r, thread + "/" + r + "/TLKS"), content);
                        assertTrue(ingested.get("created").asBoolean());
                        String id = ingested.get("record").get("result_id").asString();
                        mine.add(id);
                        assertArrayEquals(content, vault.readContent(id));

                        // Verify the signed one: the same answer on every thread.
                        assertTrue(vault.isReusable(signed));
                        Json verdict = vault.verifyRecord(signed);
                        assertTrue(verdict.get("reusable").asBoolean(), verdict.raw());
                        assertEquals(signature, verdict.get("signatures").get(0).get("signature").asString());
                        assertEquals("PASSED", verdict.get("signatures").get(0).get("verdict").get("indication").asString());

                        // Reuse it: only the signed one is handed out; the fresh unsigned ones are excluded.
                        Map<String, Object> requester = TestSupport.requester();
                        requester.put("dossier_code", "H02-T" + thread + "-" + r);
                        Json reuse = vault.findReusable(TestSupport.query(), requester);
                        assertEquals(List.of(signed), TestSupport.resultIds(reuse), reuse.raw());
                        for (Json excluded : reuse.get("excluded").elements()) {
                            assertEquals("UNSIGNED", excluded.get("reason").asString(), excluded.raw());
                        }
                        assertEquals(1, vault.countReusable(TestSupport.query(), requester));
                    }
                    return mine;
                };
                futures.add(pool.submit(work));
            }
            Set<String> ids = new HashSet<>();
            for (Future<List<String>> f : futures) {
                ids.addAll(f.get(4, TimeUnit.MINUTES)); // rethrows a thread's failure
            }
            assertEquals(THREADS * ROUNDS, ids.size(), "every result got its own id");
            for (String id : ids) {
                assertEquals(id, vault.get(id).get("result_id").asString());
            }

            Json report = vault.verifyLog();
            assertEquals(0, report.get("problem_count").asLong(), report.raw());
            assertEquals(1 + THREADS * ROUNDS, report.get("records").asLong());
            assertEquals(2L * THREADS * ROUNDS, report.get("reuses").asLong(), "one reuse per result handed out");
            assertTrue(vault.isLogIntact());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void closingWhileOtherThreadsCallNeverFreesUnderThem() throws Exception {
        Vault vault = Vault.open(tmp.resolve("closing.vault"));
        String id = vault.ingest(TestSupport.META_JSON, TestSupport.content("closing")).get("record").get("result_id").asString();
        long releasedBefore = NativeVault.releasedHandles();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        AtomicInteger successes = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        try {
            List<Future<ResultsVaultException>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    while (true) {
                        try {
                            assertEquals(id, vault.get(id).get("result_id").asString());
                            vault.isReusable(id);
                            successes.incrementAndGet();
                        } catch (ClosedException e) {
                            return e;
                        }
                    }
                }));
            }
            start.await(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (successes.get() < THREADS * 5 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            vault.close();
            for (Future<ResultsVaultException> f : futures) {
                ResultsVaultException e = f.get(1, TimeUnit.MINUTES);
                assertEquals(ResultCode.CLOSED, e.resultCode(), "each thread stopped on RV_CLOSED and nothing else");
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(successes.get() >= THREADS * 5);
        assertEquals(releasedBefore + 1, NativeVault.releasedHandles(), "freed exactly once, after the last call");
        try (Vault again = Vault.open(tmp.resolve("closing.vault").toString(), map("mode", "open"))) {
            assertTrue(again.isLogIntact());
        }
    }
}
