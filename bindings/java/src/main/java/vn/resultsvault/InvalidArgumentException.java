package vn.resultsvault;

/**
 * Thrown when an argument was refused before any work was done: a {@code NULL} where a value is required
 * ({@link ResultCode#NULL_PARAMETER}), a string that is not valid UTF-8 ({@link ResultCode#INVALID_UTF8}),
 * JSON that is malformed or not of the expected shape ({@link ResultCode#INVALID_JSON}), or a
 * well-formed value that is not acceptable ({@link ResultCode#INVALID_ARGUMENT}).
 *
 * <p>Nothing was stored or changed.
 */
public class InvalidArgumentException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param code the code the library returned
     * @param message the library's message
     */
    public InvalidArgumentException(int code, String message) {
        super(code, message);
    }
}
