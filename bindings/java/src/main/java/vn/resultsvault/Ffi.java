package vn.resultsvault;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What every wrapper method shares: argument checks before a call, turning a code into an
 * exception, copying and freeing the library's strings and buffers.
 */
final class Ffi {
    /** The one cleaner thread of the binding (a safety net for forgotten vaults). */
    static final Cleaner CLEANER = Cleaner.create();

    private Ffi() {
    }

    /**
     * Throws the exception of a failed call. Must run on the thread that made the call, before any
     * other call of the library on it: the message is per thread and overwritten by the next failure.
     */
    static void check(int rc) {
        if (rc != 0) {
            throw ResultsVaultException.forCode(rc, lastError());
        }
    }

    /** The calling thread's last error message, copied. */
    static String lastError() {
        String m = RvNative.rv_last_error_message();
        return m == null ? "" : m;
    }

    /**
     * Copies the string an out-param received and frees it, whatever happens.
     */
    static String takeString(PointerByReference out) {
        Pointer p = out.getValue();
        if (p == null) {
            throw new InternalErrorException(ResultCode.PANIC.value(), "the library reported success but returned no string");
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            RvNative.rv_string_free(p);
        }
    }

    /** As {@link #takeString}, parsed. */
    static Json takeJson(PointerByReference out) {
        String text = takeString(out);
        try {
            return Json.parse(text);
        } catch (JsonException e) {
            throw new MalformedDataException("the library returned text that is not JSON: " + e.getMessage());
        }
    }

    /** Copies the buffer an out-param received and frees it, whatever happens. */
    static byte[] takeBytes(PointerByReference out, SizeTByReference outLen) {
        Pointer p = out.getValue();
        long len = outLen.getValue();
        if (p == null) {
            if (len == 0) {
                return new byte[0];
            }
            throw new InternalErrorException(ResultCode.PANIC.value(), "the library reported success but returned no buffer");
        }
        try {
            if (len > Integer.MAX_VALUE - 8) {
                throw new ContentRefusedException("a buffer of " + len + " bytes does not fit in a Java array");
            }
            return p.getByteArray(0, (int) len);
        } finally {
            RvNative.rv_bytes_free(p, new SizeT(len));
        }
    }

    /**
     * Checks a string argument before JNA encodes it: a NUL would cut the C string short, and an
     * unpaired surrogate has no UTF-8 form (the JDK's encoder would silently replace it with
     * {@code '?'}). {@code null} passes (the library reports {@code RV_NULL_PARAMETER} where a value
     * is required).
     */
    static String text(String s, String name) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new InvalidArgumentException(ResultCode.INVALID_ARGUMENT.value(),
                        name + " holds a NUL character at index " + i + ": a C string would end there");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new InvalidArgumentException(ResultCode.INVALID_UTF8.value(), name
                        + " is not valid UTF-8: it holds an unpaired surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at index " + i);
            }
        }
        return s;
    }

    /**
     * A JSON argument: a {@link String} (checked as {@link #text}), a {@link Map}, {@link List} or
     * {@link Json} (written as JSON), or {@code null}.
     */
    static String json(Object input, String name) {
        if (input == null) {
            return null;
        }
        if (input instanceof String) {
            return text((String) input, name);
        }
        if (input instanceof Json) {
            return text(((Json) input).raw(), name);
        }
        try {
            return JsonCodec.write(input);
        } catch (JsonCodec.WriteException e) {
            int code = e.encoding ? ResultCode.INVALID_UTF8.value() : ResultCode.INVALID_JSON.value();
            throw new InvalidArgumentException(code, name + ": " + e.getMessage());
        }
    }

    /** A required byte-array argument. */
    static byte[] bytes(byte[] b, String name) {
        if (b == null) {
            throw new InvalidArgumentException(ResultCode.NULL_PARAMETER.value(), name + " is null");
        }
        return b;
    }

    /** The {@code size_t} length of an array. */
    static SizeT len(byte[] b) {
        return new SizeT(b == null ? 0 : b.length);
    }

    /** What {@link #withByteArrays} runs: the C arrays, valid only during the call. */
    @FunctionalInterface
    interface ByteArraysBody<T> {
        T run(Pointer pointers, Pointer lens, SizeT count);
    }

    /**
     * Runs {@code body} with byte arrays as the C arrays {@code const uint8_t *const *} and
     * {@code const size_t *} (NULL when there are none; an empty array's pointer is NULL), in native
     * memory freed as soon as it returns rather than by the GC: the contents may be large. Each array
     * is checked as {@link #bytes}, named {@code name[i]}.
     */
    static <T> T withByteArrays(List<byte[]> arrays, String name, ByteArraysBody<T> body) {
        Objects.requireNonNull(arrays, name);
        int count = arrays.size();
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += bytes(arrays.get(i), name + "[" + i + "]").length;
        }
        Memory data = total > 0 ? new Memory(total) : null;
        Memory pointers = count > 0 ? new Memory((long) count * Native.POINTER_SIZE) : null;
        Memory lens = count > 0 ? new Memory((long) count * Native.SIZE_T_SIZE) : null;
        try {
            long offset = 0;
            for (int i = 0; i < count; i++) {
                byte[] c = arrays.get(i);
                if (c.length > 0) {
                    data.write(offset, c, 0, c.length);
                    pointers.setPointer((long) i * Native.POINTER_SIZE, data.share(offset, c.length));
                } else {
                    pointers.setPointer((long) i * Native.POINTER_SIZE, null);
                }
                if (Native.SIZE_T_SIZE == 8) {
                    lens.setLong((long) i * 8, c.length);
                } else {
                    lens.setInt((long) i * 4, c.length);
                }
                offset += c.length;
            }
            return body.run(pointers, lens, new SizeT(count));
        } finally {
            if (data != null) {
                data.close();
            }
            if (pointers != null) {
                pointers.close();
            }
            if (lens != null) {
                lens.close();
            }
        }
    }
}
