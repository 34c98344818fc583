package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the library is found and refused, each case in a fresh JVM (a JVM loads the library once).
 * Needs -Dresultsvault.test.classpath (set by run-tests.sh); a C compiler for the fake libraries.
 */
class LibraryLoadingTest {
    @TempDir
    Path tmp;

    private static String classpath() {
        String cp = System.getProperty("resultsvault.test.classpath");
        assumeTrue(cp != null && !cp.isEmpty(), "run through run-tests.sh (resultsvault.test.classpath)");
        return cp;
    }

    private static String realLibrary() {
        return System.getProperty(ResultsVault.LIBRARY_PROPERTY);
    }

    private List<String> probe(Map<String, String> env, List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(LoadProbe.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove(ResultsVault.LIBRARY_ENV);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private Path compile(String name, String source) throws Exception {
        assumeTrue(Files.isExecutable(Paths.get("/usr/bin/cc")) || Files.isExecutable(Paths.get("/usr/bin/gcc")),
                "no C compiler");
        Path c = tmp.resolve(name + ".c");
        Path so = tmp.resolve("lib" + name + ".so");
        Files.writeString(c, source);
        TestSupport.run(tmp, "cc", "-shared", "-fPIC", "-o", so.toString(), c.toString());
        return so;
    }

    @Test
    void theSystemPropertyAndTheEnvironmentVariableNameTheLibrary() throws Exception {
        List<String> byProperty = probe(Map.of(), List.of("-D" + ResultsVault.LIBRARY_PROPERTY + "=" + realLibrary()));
        assertTrue(byProperty.get(0).startsWith("OK ") && byProperty.get(0).contains("system property"), byProperty.toString());
        List<String> byEnv = probe(Map.of(ResultsVault.LIBRARY_ENV, realLibrary()), List.of());
        assertTrue(byEnv.get(0).startsWith("OK ") && byEnv.get(0).contains("environment variable"), byEnv.toString());
    }

    @Test
    void stringsCrossAsUtf8WhateverTheDefaultCharset() throws Exception {
        List<String> out = probe(Map.of("LC_ALL", "C", "LANG", "C"),
                List.of("-D" + ResultsVault.LIBRARY_PROPERTY + "=" + realLibrary(), "-Dfile.encoding=ISO-8859-1",
                        "-Djna.encoding=ISO-8859-1", "-Dsun.jnu.encoding=ISO-8859-1"),
                "roundtrip", tmp.toString());
        assertEquals("ROUNDTRIP OK", out.get(0), out.toString());
    }

    @Test
    void aMissingLibraryIsALoadError() throws Exception {
        List<String> out = probe(Map.of(), List.of("-D" + ResultsVault.LIBRARY_PROPERTY + "=" + tmp.resolve("nope.so")));
        assertTrue(out.get(0).startsWith("ERR LibraryLoadException -1 cannot load"), out.toString());
        assertEquals("SECOND true", out.get(1));
        // Nothing configured and nothing installed: the message says what to do.
        List<String> none = probe(Map.of("LD_LIBRARY_PATH", tmp.toString()), List.of("-Djna.library.path=" + tmp));
        if (none.get(0).startsWith("ERR")) {
            assertTrue(none.get(0).contains(ResultsVault.LIBRARY_ENV), none.toString());
        }
    }

    @Test
    void aLibraryOfAnotherAbiVersionIsRefused() throws Exception {
        Path so = compile("abi2", "unsigned int rv_abi_version(void) { return 2; }\n");
        List<String> out = probe(Map.of(), List.of("-D" + ResultsVault.LIBRARY_PROPERTY + "=" + so));
        assertTrue(out.get(0).startsWith("ERR LibraryLoadException -1 "), out.toString());
        assertTrue(out.get(0).contains("ABI version 2") && out.get(0).contains("ABI version 1"), out.toString());
        assertEquals("SECOND true", out.get(1));
    }

    @Test
    void aLibraryThatIsNotResultsVaultIsRefused() throws Exception {
        Path other = compile("other", "int something_else(void) { return 0; }\n");
        List<String> out = probe(Map.of(), List.of("-D" + ResultsVault.LIBRARY_PROPERTY + "=" + other));
        assertTrue(out.get(0).contains("has no rv_abi_version()"), out.toString());
        // The right ABI version but functions missing: refused at registration, not at the first call.
        Path partial = compile("partial", "unsigned int rv_abi_version(void) { return 1; }\n");
        List<String> out2 = probe(Map.of(), List.of("-D" + ResultsVault.LIBRARY_PROPERTY + "=" + partial));
        assertTrue(out2.get(0).startsWith("ERR LibraryLoadException") && out2.get(0).contains("lacks a function"), out2.toString());
        assertEquals("SECOND true", out2.get(1));
    }
}
