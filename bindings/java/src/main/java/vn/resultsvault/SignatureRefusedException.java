package vn.resultsvault;

/**
 * Thrown when a signature (a signing provider's reply or an attached CMS) was read or verified and refused
 * ({@link ResultCode#SIGNATURE_REFUSED}). Nothing was stored, and an open signing session stays open:
 * it can still be completed with the right reply.
 */
public class SignatureRefusedException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public SignatureRefusedException(String message) {
        super(13, message);
    }
}
