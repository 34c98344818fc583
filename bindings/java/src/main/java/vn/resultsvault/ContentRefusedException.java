package vn.resultsvault;

/**
 * Thrown when the content is empty or larger than the vault accepts ({@link ResultCode#CONTENT_REFUSED}).
 */
public class ContentRefusedException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public ContentRefusedException(String message) {
        super(15, message);
    }
}
