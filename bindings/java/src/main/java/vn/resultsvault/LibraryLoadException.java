package vn.resultsvault;

/**
 * Thrown when the native library cannot be used: it was not found, a symbol is missing, or its
 * ABI version ({@code rv_abi_version()}) differs from {@link ResultsVault#EXPECTED_ABI_VERSION}.
 * Its {@link #code()} is {@link ResultsVaultException#LOAD_FAILURE}.
 *
 * <p>The first failure is kept: every later use of the binding throws a new exception with the same
 * message and cause, instead of retrying the load.
 */
public class LibraryLoadException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what was tried and why it failed
     * @param cause the underlying error (e.g. JNA's {@link UnsatisfiedLinkError}), or {@code null}
     */
    public LibraryLoadException(String message, Throwable cause) {
        super(LOAD_FAILURE, message, cause);
    }
}
