package vn.resultsvault;

/**
 * Thrown when the signing session is expired, cancelled, or was completed with another reply
 * ({@link ResultCode#SESSION_UNUSABLE}).
 */
public class SessionUnusableException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public SessionUnusableException(String message) {
        super(12, message);
    }
}
