package vn.resultsvault;

import com.sun.jna.Native;
import com.sun.jna.ptr.ByReference;

/** A {@code size_t*} out-param: C writes it, {@link #getValue()} reads it. */
public final class SizeTByReference extends ByReference {
    /** A {@code size_t} cell holding 0. */
    public SizeTByReference() {
        super(Native.SIZE_T_SIZE);
        if (Native.SIZE_T_SIZE == 8) {
            getPointer().setLong(0, 0);
        } else {
            getPointer().setInt(0, 0);
        }
    }

    /**
     * The value C wrote.
     *
     * @return the value (unsigned; a 64-bit value above {@code Long.MAX_VALUE} cannot occur for a
     *     length of memory)
     */
    public long getValue() {
        return Native.SIZE_T_SIZE == 8 ? getPointer().getLong(0) : getPointer().getInt(0) & 0xffffffffL;
    }
}
