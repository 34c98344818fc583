package vn.resultsvault;

/**
 * Thrown when a problem with the vault file itself ({@link ResultCode#FILE}): missing, already there, not a
 * vault, written by a newer version, or corrupt.
 */
public class VaultFileException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public VaultFileException(String message) {
        super(16, message);
    }
}
