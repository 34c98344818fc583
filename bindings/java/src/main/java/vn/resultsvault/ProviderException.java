package vn.resultsvault;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The base of the failures of signing through a remote provider ({@code RV_PROVIDER_*}, codes 21 to
 * 26): {@link Signing#signRemote(String, String, String, String)} and
 * {@link Signing#resumeRemote(String, String, String, String)}. Catch a subclass for one outcome, or
 * this class for all of them.
 *
 * <p>When the failure happened after the signing session was begun, the library's message names it
 * ({@code signing session <id>}) and {@link #sessionId()} returns it: resume it with
 * {@link Signing#resumeRemote(String, String, String, String)} (after a
 * {@link ProviderPendingException}) or look at it with {@link Signing#remoteRequest(String)}. Provider
 * secrets never appear in the message.
 */
public class ProviderException extends ResultsVaultException {
    private static final long serialVersionUID = 1L;

    private static final Pattern SESSION = Pattern.compile("signing session ([0-9A-HJKMNP-TV-Z]{26})\\b");

    /**
     * Makes the exception.
     *
     * @param code the {@code rv_result} value, 21 to 26
     * @param message the library's message
     */
    public ProviderException(int code, String message) {
        super(code, message);
    }

    /**
     * The signing session the message names (a 26-character ULID).
     *
     * @return the session id, or {@code null} when the failure came before a session was begun
     *     (configuration, certificate lookup)
     */
    public String sessionId() {
        String message = getMessage();
        if (message == null) {
            return null;
        }
        Matcher m = SESSION.matcher(message);
        return m.find() ? m.group(1) : null;
    }
}
