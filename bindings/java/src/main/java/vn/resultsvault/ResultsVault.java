package vn.resultsvault;

/**
 * The library as a whole: loading, versions and code names. Vaults are opened with
 * {@link Vault#open(String)}; detached signatures are verified with {@link Verifier}.
 */
public final class ResultsVault {
    /** The C ABI version this binding was written for; a library with another one is refused. */
    public static final int EXPECTED_ABI_VERSION = 1;

    /** The system property that names the library file: {@value}. */
    public static final String LIBRARY_PROPERTY = NativeLoader.PROPERTY;

    /** The environment variable that names the library file: {@value}. */
    public static final String LIBRARY_ENV = NativeLoader.ENV;

    private ResultsVault() {
    }

    /**
     * Loads the native library now (it is otherwise loaded by the first use) and checks its ABI
     * version. Call it at start-up to fail early with a clear message.
     *
     * @throws LibraryLoadException if the library is missing, not results-vault, or of another ABI
     *     version; every later use throws the same
     */
    public static void load() {
        NativeLoader.ensureLoaded();
    }

    /**
     * The library's version, e.g. {@code "0.1.0"}.
     *
     * @return the version
     */
    public static String version() {
        NativeLoader.ensureLoaded();
        return RvNative.rv_version();
    }

    /**
     * The loaded library's ABI version (equal to {@link #EXPECTED_ABI_VERSION}, or it would not
     * have loaded).
     *
     * @return the ABI version
     */
    public static int abiVersion() {
        NativeLoader.ensureLoaded();
        return RvNative.rv_abi_version();
    }

    /**
     * Where the library was loaded from: the path and how it was found.
     *
     * @return a description for logs
     */
    public static String librarySource() {
        NativeLoader.ensureLoaded();
        return NativeLoader.source();
    }

    /**
     * The C name of a code as the library gives it ({@code rv_result_name}).
     *
     * @param code a code
     * @return e.g. {@code "RV_NOT_FOUND"}, or {@code "RV_UNKNOWN"}
     */
    public static String resultName(int code) {
        NativeLoader.ensureLoaded();
        return RvNative.rv_result_name(code);
    }
}
