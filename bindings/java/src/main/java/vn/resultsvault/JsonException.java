package vn.resultsvault;

/**
 * Thrown by {@link Json#parse(String)} when a text is not valid JSON, and by {@link Json} accessors
 * asked for a value of the wrong kind ({@code asString()} on a number, {@code get("x")} on an array,
 * a missing member...).
 */
public class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Where in the text the problem was found, or -1. */
    private final int offset;

    /**
     * Makes the exception.
     *
     * @param message what is wrong
     * @param offset the offset in the text where it was found, or -1 when it is not about a text
     */
    public JsonException(String message, int offset) {
        super(message);
        this.offset = offset;
    }

    /**
     * Where in the text the problem was found.
     *
     * @return the offset (in UTF-16 units), or -1 when the problem is not about a text
     */
    public int offset() {
        return offset;
    }
}
