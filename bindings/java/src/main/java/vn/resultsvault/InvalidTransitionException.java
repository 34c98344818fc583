package vn.resultsvault;

/**
 * Thrown when the status change is not allowed from the result's current status, e.g. revoking a result
 * that is already revoked ({@link ResultCode#INVALID_TRANSITION}).
 */
public class InvalidTransitionException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public InvalidTransitionException(String message) {
        super(9, message);
    }
}
