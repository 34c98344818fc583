package vn.resultsvault;

/**
 * Thrown when the remote provider answered something malformed (JSON, base64, status), or named a
 * certificate that is not the configured signer's ({@link ResultCode#PROVIDER_BAD_ANSWER}). Nothing was
 * stored.
 */
public class ProviderBadAnswerException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ProviderBadAnswerException(String message) {
        super(23, message);
    }
}
