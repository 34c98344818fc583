package vn.resultsvault;

/**
 * Thrown when stored data, or an answer of the library, could not be decoded ({@link ResultCode#MALFORMED_DATA}):
 * a bug, or an edit of the file behind the vault's back.
 */
public class MalformedDataException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public MalformedDataException(String message) {
        super(18, message);
    }
}
