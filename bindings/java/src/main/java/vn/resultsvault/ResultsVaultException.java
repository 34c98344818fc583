package vn.resultsvault;

/**
 * The base of every failure this binding reports: a C call returned a code other than
 * {@code RV_OK}, or the binding refused an argument before calling (with the code the library
 * would have returned), or the library could not be loaded ({@link LibraryLoadException}).
 *
 * <p>It is unchecked, like the exceptions of UniFFI's Kotlin bindings: catch the subclass you can
 * act on ({@link NotFoundException}, {@link SignatureRefusedException}...) and let the rest travel.
 * The message is the library's (it never holds a personal ID in full).
 */
public class ResultsVaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The code of a failure that did not come from a C call: the library could not be loaded. */
    public static final int LOAD_FAILURE = -1;

    /** The {@code rv_result} value, or {@link #LOAD_FAILURE}. */
    private final int code;

    /**
     * Makes the exception.
     *
     * @param code the {@code rv_result} value, or {@link #LOAD_FAILURE}
     * @param message the library's message
     */
    public ResultsVaultException(int code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * Makes the exception with a cause.
     *
     * @param code the {@code rv_result} value, or {@link #LOAD_FAILURE}
     * @param message the message
     * @param cause what went wrong underneath
     */
    public ResultsVaultException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * The {@code rv_result} value the call returned (1 to 26), or {@link #LOAD_FAILURE}.
     *
     * @return the numeric code
     */
    public int code() {
        return code;
    }

    /**
     * The code as an enum constant.
     *
     * @return the code, or {@code null} for {@link #LOAD_FAILURE} or a value this binding does not know
     */
    public ResultCode resultCode() {
        return ResultCode.of(code);
    }

    /**
     * The C name of the code, e.g. {@code "RV_NOT_FOUND"}; {@code "RV_LOAD_FAILURE"} for a library
     * that could not be loaded and {@code "RV_UNKNOWN"} for a value this binding does not know.
     *
     * @return the name
     */
    public String codeName() {
        if (code == LOAD_FAILURE) {
            return "RV_LOAD_FAILURE";
        }
        ResultCode rc = ResultCode.of(code);
        return rc == null ? "RV_UNKNOWN" : rc.cName();
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + codeName() + "]: " + getMessage();
    }

    /**
     * The exception for a failed call: the subclass of the code's family.
     *
     * @param code the non-zero code the call returned
     * @param message the library's message
     * @return the exception to throw
     */
    static ResultsVaultException forCode(int code, String message) {
        ResultCode rc = ResultCode.of(code);
        if (rc == null) {
            return new InternalErrorException(code, "unknown result code " + code + ": " + message);
        }
        switch (rc) {
            case NULL_PARAMETER:
            case INVALID_UTF8:
            case INVALID_JSON:
            case INVALID_ARGUMENT:
                return new InvalidArgumentException(code, message);
            case CLOSED:
                return new ClosedException(message);
            case NOT_FOUND:
                return new NotFoundException(message);
            case CONFLICT:
                return new ConflictException(message);
            case INTEGRITY:
                return new IntegrityException(message);
            case INVALID_TRANSITION:
                return new InvalidTransitionException(message);
            case TRUST_REFUSED:
                return new TrustRefusedException(message);
            case SIGNING_REQUEST_REFUSED:
                return new SigningRequestRefusedException(message);
            case SESSION_UNUSABLE:
                return new SessionUnusableException(message);
            case SIGNATURE_REFUSED:
                return new SignatureRefusedException(message);
            case REUSE_REFUSED:
                return new ReuseRefusedException(message);
            case CONTENT_REFUSED:
                return new ContentRefusedException(message);
            case FILE:
                return new VaultFileException(message);
            case STORAGE:
                return new StorageException(message);
            case MALFORMED_DATA:
                return new MalformedDataException(message);
            case PANIC:
                return new InternalErrorException(code, message);
            case PDF_UNREADABLE:
                return new PdfUnreadableException(message);
            case PROVIDER_DECLINED:
                return new ProviderDeclinedException(message);
            case PROVIDER_UNREACHABLE:
                return new ProviderUnreachableException(message);
            case PROVIDER_BAD_ANSWER:
                return new ProviderBadAnswerException(message);
            case PROVIDER_PENDING:
                return new ProviderPendingException(message);
            case PROVIDER_OUTCOME_UNKNOWN:
                return new ProviderOutcomeUnknownException(message);
            case PROVIDER_CONFIG:
                return new ProviderConfigException(message);
            case OK:
            default:
                return new InternalErrorException(code, "a failure reported with code " + code + ": " + message);
        }
    }
}
