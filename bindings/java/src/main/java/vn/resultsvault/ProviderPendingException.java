package vn.resultsvault;

/**
 * Thrown when the officer has not approved yet ({@link ResultCode#PROVIDER_PENDING}): the call stopped
 * waiting ({@code wait_seconds}) and the request is still pending at the provider. Call
 * {@link Signing#resumeRemote(String, String, String, String)} later with {@link #sessionId()}.
 */
public class ProviderPendingException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ProviderPendingException(String message) {
        super(24, message);
    }
}
