package vn.resultsvault;

/**
 * Thrown when reading or writing the vault failed: I/O or SQLite ({@link ResultCode#STORAGE}).
 */
public class StorageException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message the library's message
     */
    public StorageException(String message) {
        super(17, message);
    }
}
