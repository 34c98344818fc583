package vn.resultsvault;

/**
 * Thrown when the remote provider could not be reached ({@link ResultCode#PROVIDER_UNREACHABLE}):
 * connection, TLS, timeout. Nothing was stored; a request that may have reached the provider is
 * resumable ({@link #sessionId()}).
 */
public class ProviderUnreachableException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ProviderUnreachableException(String message) {
        super(22, message);
    }
}
