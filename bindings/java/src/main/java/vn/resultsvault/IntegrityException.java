package vn.resultsvault;

/**
 * Thrown when a stored content no longer matches its SHA-256 ({@link ResultCode#INTEGRITY}).
 */
public class IntegrityException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public IntegrityException(String message) {
        super(8, message);
    }
}
