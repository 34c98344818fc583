package vn.resultsvault;

/**
 * Thrown when a reuse request was refused because its requester is incomplete
 * ({@link ResultCode#REUSE_REFUSED}): all of {@code agency_code}, {@code procedure_code},
 * {@code dossier_code} and {@code purpose} are required.
 */
public class ReuseRefusedException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ReuseRefusedException(String message) {
        super(14, message);
    }
}
