package vn.resultsvault;

/**
 * Thrown when the remote provider declined to sign ({@link ResultCode#PROVIDER_DECLINED}): the officer
 * refused on the phone, did not approve in time, the certificate is revoked or expired at the provider,
 * the quota is used up, or the provider refused the credentials; or the session had already ended so.
 * The message says which, and {@link Signing#remoteRequest(String)} gives the typed {@code outcome}. The
 * session is ended and nothing was stored.
 */
public class ProviderDeclinedException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ProviderDeclinedException(String message) {
        super(21, message);
    }
}
