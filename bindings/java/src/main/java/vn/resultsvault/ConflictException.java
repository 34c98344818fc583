package vn.resultsvault;

/**
 * Thrown when another result already holds the same dossier code, procedure code and document number
 * ({@link ResultCode#CONFLICT}).
 */
public class ConflictException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ConflictException(String message) {
        super(7, message);
    }
}
