package vn.resultsvault;

/**
 * Thrown when the vault was closed ({@link ResultCode#CLOSED}): {@link Vault#close()} ran before the call
 * started.
 */
public class ClosedException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ClosedException(String message) {
        super(5, message);
    }
}
