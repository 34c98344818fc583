package vn.resultsvault;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.File;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds and loads the native library once, checks its ABI version, and remembers a failure so that
 * every later use reports the same clear error instead of retrying.
 *
 * <p>Where it looks, first match wins: the system property {@value #PROPERTY} (a path), the
 * environment variable {@value #ENV} (a path), then JNA's search for {@code results_vault}:
 * {@code jna.library.path}, the system's library path ({@code libresults_vault.so}), and last the
 * class path under {@code <Platform.RESOURCE_PREFIX>/libresults_vault.so} (for example
 * {@code linux-x86-64/libresults_vault.so}, the copy bundled in the jar made by
 * {@code bindings/java/build-jar.sh}, which JNA extracts to its temporary directory); then the
 * SONAME {@code libresults_vault.so.1} on the system's library path (a runtime install without the
 * development symlink).
 */
final class NativeLoader {
    /** The system property naming the library file. */
    static final String PROPERTY = "resultsvault.library";
    /** The environment variable naming the library file. */
    static final String ENV = "RESULTS_VAULT_LIB";

    /** The options every load uses: C strings are UTF-8, whatever the platform's default charset. */
    static final Map<String, Object> OPTIONS;

    static {
        Map<String, Object> o = new HashMap<>();
        o.put(Library.OPTION_STRING_ENCODING, "UTF-8");
        // A bundled copy is looked up through the loader of the binding's own jar, not the calling
        // thread's context class loader (which, in an application server, may not see the jar).
        ClassLoader own = NativeLoader.class.getClassLoader();
        if (own != null) {
            o.put(Library.OPTION_CLASSLOADER, own);
        }
        OPTIONS = Collections.unmodifiableMap(o);
    }

    private static final Object LOCK = new Object();
    private static NativeLibrary library;
    private static String source;
    private static volatile LibraryLoadException failure;
    private static volatile boolean ready;

    private NativeLoader() {
    }

    /**
     * The loaded and checked library (loading it on the first call). {@link RvNative}'s static
     * initializer registers its methods against it.
     */
    static NativeLibrary library() {
        synchronized (LOCK) {
            if (library != null) {
                return library;
            }
            if (failure != null) {
                throw copy(failure);
            }
            try {
                NativeLibrary lib = open();
                int abi;
                try {
                    abi = lib.getFunction("rv_abi_version").invokeInt(new Object[0]);
                } catch (UnsatisfiedLinkError e) {
                    throw new LibraryLoadException(
                            source + " has no rv_abi_version(): it is not the results-vault C library (feature capi)", e);
                }
                if (abi != ResultsVault.EXPECTED_ABI_VERSION) {
                    throw new LibraryLoadException(source + " has ABI version " + Integer.toUnsignedString(abi)
                            + "; this binding was written for ABI version " + ResultsVault.EXPECTED_ABI_VERSION
                            + ": use a matching library or binding", null);
                }
                library = lib;
                return lib;
            } catch (LibraryLoadException e) {
                failure = e;
                throw copy(e);
            }
        }
    }

    private static NativeLibrary open() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isEmpty()) {
            return openPath(property, "system property " + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isEmpty()) {
            return openPath(env, "environment variable " + ENV);
        }
        List<String> names = new ArrayList<>();
        names.add("results_vault");
        if (Platform.isLinux() || Platform.isFreeBSD()) {
            names.add("libresults_vault.so.1");
        } else if (Platform.isMac()) {
            names.add("libresults_vault.1.dylib");
        }
        UnsatisfiedLinkError first = null;
        for (String name : names) {
            try {
                NativeLibrary lib = NativeLibrary.getInstance(name, OPTIONS);
                source = describe(name, lib.getFile());
                return lib;
            } catch (UnsatisfiedLinkError e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw new LibraryLoadException("the results-vault library was not found: set the system property " + PROPERTY
                + " or the environment variable " + ENV + " to the path of libresults_vault.so, or install it on "
                + "the system library path (scripts/install-capi.sh), or use the jar of bindings/java/build-jar.sh, which "
                + "bundles it as " + bundledResource() + "; tried " + names, first);
    }

    /** Where the copy bundled in a jar would be: {@code <Platform.RESOURCE_PREFIX>/libresults_vault.so}. */
    static String bundledResource() {
        return Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("results_vault");
    }

    /**
     * What {@link #source()} says of a library JNA found by name: the copy bundled on the class path
     * (extracted by JNA to a temporary file, or used in place from a directory), or a system one.
     */
    private static String describe(String name, File file) {
        ClassLoader loader = (ClassLoader) OPTIONS.get(Library.OPTION_CLASSLOADER);
        URL bundled = loader == null ? null : loader.getResource(bundledResource());
        if (bundled != null && file != null) {
            boolean inPlace = "file".equals(bundled.getProtocol()) && new File(bundled.getPath()).equals(file);
            // A library found on the system keeps its name; JNA names an extracted copy jna*.tmp.
            if (inPlace || !file.getName().startsWith("libresults_vault")) {
                return "the copy bundled on the class path (" + bundled + ", loaded from " + file + ")";
            }
        }
        return "the library " + name + " (" + file + ")";
    }

    private static NativeLibrary openPath(String path, String from) {
        try {
            NativeLibrary lib = NativeLibrary.getInstance(path, OPTIONS);
            source = path + " (from the " + from + ")";
            return lib;
        } catch (UnsatisfiedLinkError e) {
            throw new LibraryLoadException("cannot load " + path + " (from the " + from + "): " + e.getMessage(), e);
        }
    }

    /** A registration failure of {@link RvNative} (a function missing from the library). */
    static LibraryLoadException registrationFailed(Throwable e) {
        LibraryLoadException l = new LibraryLoadException(
                source + " lacks a function this binding needs (an older or newer library?): " + e.getMessage(), e);
        failure = l;
        return l;
    }

    /**
     * Makes sure the library is loaded, checked and {@link RvNative} registered.
     *
     * @throws LibraryLoadException if it cannot be
     */
    static void ensureLoaded() {
        if (ready) {
            return;
        }
        try {
            RvNative.touch();
            ready = true;
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause();
            if (cause instanceof LibraryLoadException) {
                throw copy((LibraryLoadException) cause);
            }
            throw new LibraryLoadException("initializing the binding failed: " + cause, cause);
        } catch (NoClassDefFoundError e) {
            LibraryLoadException f = failure;
            if (f != null) {
                throw copy(f);
            }
            throw new LibraryLoadException("initializing the binding failed earlier: " + e.getMessage(), e);
        }
    }

    /** Where the library was loaded from (after a successful load). */
    static String source() {
        synchronized (LOCK) {
            return source;
        }
    }

    private static LibraryLoadException copy(LibraryLoadException e) {
        return new LibraryLoadException(e.getMessage(), e.getCause());
    }
}
