package vn.resultsvault;

import com.sun.jna.IntegerType;
import com.sun.jna.Native;

/**
 * C {@code size_t}: unsigned, as wide as the platform's {@link Native#SIZE_T_SIZE} (8 bytes on
 * 64-bit Linux and macOS, and on 64-bit Windows, where {@code NativeLong} would be 4).
 */
public final class SizeT extends IntegerType {
    private static final long serialVersionUID = 1L;

    /** The value 0 (JNA needs a public no-argument constructor). */
    public SizeT() {
        this(0);
    }

    /**
     * A {@code size_t} of this value.
     *
     * @param value the value, not negative
     */
    public SizeT(long value) {
        super(Native.SIZE_T_SIZE, value, true);
    }
}
