package vn.resultsvault;

/**
 * Thrown when no result, signing session, trust item or kept CRL has the id given
 * ({@link ResultCode#NOT_FOUND}).
 */
public class NotFoundException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public NotFoundException(String message) {
        super(6, message);
    }
}
