package vn.resultsvault;

/**
 * Thrown when a bug in the native library: a panic was caught at the C boundary ({@link ResultCode#PANIC}),
 * or the library returned a code this binding does not know. Please report it.
 */
public class InternalErrorException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param code the code the library returned
     * @param message the library's message
     */
    public InternalErrorException(int code, String message) {
        super(code, message);
    }
}
