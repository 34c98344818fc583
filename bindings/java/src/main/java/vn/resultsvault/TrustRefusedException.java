package vn.resultsvault;

/**
 * Thrown when a certificate or CRL offered to the trust store was refused ({@link ResultCode#TRUST_REFUSED});
 * the message says why.
 */
public class TrustRefusedException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public TrustRefusedException(String message) {
        super(10, message);
    }
}
