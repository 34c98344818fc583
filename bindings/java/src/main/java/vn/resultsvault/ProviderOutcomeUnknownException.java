package vn.resultsvault;

/**
 * Thrown when whether the provider received the request is unknown and its API cannot look it up
 * ({@link ResultCode#PROVIDER_OUTCOME_UNKNOWN}): it is not resent, since that could sign twice. Check with
 * the provider, then cancel the session ({@link #sessionId()}).
 */
public class ProviderOutcomeUnknownException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ProviderOutcomeUnknownException(String message) {
        super(25, message);
    }
}
