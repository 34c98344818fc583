package vn.resultsvault;

/**
 * Thrown when the provider configuration is invalid or incomplete (an unknown provider, a missing or
 * mistyped field, a {@code base_url} that is not {@code https://}), or the session belongs to another
 * provider or to none ({@link ResultCode#PROVIDER_CONFIG}). Secrets never appear in the message.
 */
public class ProviderConfigException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ProviderConfigException(String message) {
        super(26, message);
    }
}
