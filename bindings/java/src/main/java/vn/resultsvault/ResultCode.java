package vn.resultsvault;

/**
 * The codes of the C enum {@code rv_result}, as the library returns them. {@link #OK} is 0; every other
 * value is a failure, which this binding turns into a {@link ResultsVaultException} subclass.
 */
public enum ResultCode {
    /** {@code RV_OK}: success, the out-params were written. */
    OK(0),
    /** {@code RV_NULL_PARAMETER}: a required pointer argument was {@code NULL}. */
    NULL_PARAMETER(1),
    /** {@code RV_INVALID_UTF8}: a string argument is not valid UTF-8. */
    INVALID_UTF8(2),
    /** {@code RV_INVALID_JSON}: a JSON argument is not valid JSON, or not of the expected shape. */
    INVALID_JSON(3),
    /** {@code RV_INVALID_ARGUMENT}: an argument is well-formed but not acceptable. */
    INVALID_ARGUMENT(4),
    /** {@code RV_CLOSED}: the handle was closed. */
    CLOSED(5),
    /** {@code RV_NOT_FOUND}: no result, session, item or kept CRL with this id. */
    NOT_FOUND(6),
    /** {@code RV_CONFLICT}: another result holds this dossier + procedure + document number. */
    CONFLICT(7),
    /** {@code RV_INTEGRITY}: stored content no longer matches its SHA-256. */
    INTEGRITY(8),
    /** {@code RV_INVALID_TRANSITION}: a status change the current status does not allow. */
    INVALID_TRANSITION(9),
    /** {@code RV_TRUST_REFUSED}: a certificate or CRL offered to the trust store was refused. */
    TRUST_REFUSED(10),
    /** {@code RV_SIGNING_REQUEST_REFUSED}: a signing request was refused. */
    SIGNING_REQUEST_REFUSED(11),
    /** {@code RV_SESSION_UNUSABLE}: the signing session is expired, cancelled or completed otherwise. */
    SESSION_UNUSABLE(12),
    /** {@code RV_SIGNATURE_REFUSED}: a signature was read or verified and refused. */
    SIGNATURE_REFUSED(13),
    /** {@code RV_REUSE_REFUSED}: a reuse request without a full requester. */
    REUSE_REFUSED(14),
    /** {@code RV_CONTENT_REFUSED}: content empty or larger than the vault accepts. */
    CONTENT_REFUSED(15),
    /** {@code RV_FILE}: the vault file is missing, already there, not a vault, newer, or corrupt. */
    FILE(16),
    /** {@code RV_STORAGE}: reading or writing failed (I/O, SQLite). */
    STORAGE(17),
    /** {@code RV_MALFORMED_DATA}: stored data could not be decoded. */
    MALFORMED_DATA(18),
    /** {@code RV_PANIC}: a bug in the library; a panic was caught at the boundary. */
    PANIC(19),
    /** {@code RV_PDF_UNREADABLE}: a PDF given to be verified cannot be read (not a PDF, malformed, encrypted...). */
    PDF_UNREADABLE(20),
    /** {@code RV_PROVIDER_DECLINED}: a remote provider declined to sign (refused, not approved in time...). */
    PROVIDER_DECLINED(21),
    /** {@code RV_PROVIDER_UNREACHABLE}: a remote provider could not be reached. */
    PROVIDER_UNREACHABLE(22),
    /** {@code RV_PROVIDER_BAD_ANSWER}: a remote provider answered something malformed, or another signer's certificate. */
    PROVIDER_BAD_ANSWER(23),
    /** {@code RV_PROVIDER_PENDING}: the signer has not approved yet; resume the session later. */
    PROVIDER_PENDING(24),
    /** {@code RV_PROVIDER_OUTCOME_UNKNOWN}: whether the provider received the request is unknown; not resent. */
    PROVIDER_OUTCOME_UNKNOWN(25),
    /** {@code RV_PROVIDER_CONFIG}: the provider configuration is invalid, or the session is not this provider's. */
    PROVIDER_CONFIG(26);

    private static final ResultCode[] BY_VALUE = values();

    private final int value;

    ResultCode(int value) {
        this.value = value;
    }

    /**
     * The numeric value of the code, as the C function returns it.
     *
     * @return the value, 0 to 26
     */
    public int value() {
        return value;
    }

    /**
     * The C name of the code, the same as {@code rv_result_name} gives (e.g. {@code "RV_NOT_FOUND"}).
     *
     * @return the C name
     */
    public String cName() {
        return "RV_" + name();
    }

    /**
     * The code with this numeric value.
     *
     * @param value a value returned by a C function
     * @return the code, or {@code null} if this binding does not know the value
     */
    public static ResultCode of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
