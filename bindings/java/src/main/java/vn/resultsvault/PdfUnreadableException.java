package vn.resultsvault;

/**
 * Thrown when a PDF given to be verified cannot be read ({@link ResultCode#PDF_UNREADABLE}): it is not a
 * PDF, it is malformed, it is beyond the verifier's bounds, or it uses a feature the verifier does not
 * handle (encryption). A PDF that is read but badly signed is not this exception: it is a verdict
 * ({@code FAILED} or {@code INDETERMINATE}).
 */
public class PdfUnreadableException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public PdfUnreadableException(String message) {
        super(20, message);
    }
}
