package vn.resultsvault;

/**
 * Thrown when a signing request was refused: certificate chain, digest algorithm or key type
 * ({@link ResultCode#SIGNING_REQUEST_REFUSED}).
 */
public class SigningRequestRefusedException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public SigningRequestRefusedException(String message) {
        super(11, message);
    }
}
