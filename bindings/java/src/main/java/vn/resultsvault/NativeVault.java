package vn.resultsvault;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native {@code rv_vault*} of one open vault, and everything that keeps it safe to call: the
 * count of calls in flight, {@code rv_vault_close} then {@code rv_vault_free} exactly once, and the
 * {@link Cleaner} that frees a handle nobody closed.
 *
 * <p>{@link Vault}, {@link TrustStore} and {@link Signing} all hold the same {@code NativeVault};
 * every wrapper method reaches the handle through {@link #use}, {@link #callJson} or
 * {@link #callBytes}. The cleaner is registered on this object, not on the {@code Vault}, so the
 * handle stays alive as long as any of those views is reachable.
 */
final class NativeVault {
    private static final AtomicLong RELEASED = new AtomicLong();

    private final VaultHandle handle;
    /** 1 for the vault's own reference + 1 per running call; 0 once the handle is freed. */
    private final AtomicLong users = new AtomicLong(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Cleaner.Cleanable cleanable;

    /** Frees the handle; it must not reference the {@code NativeVault}, or it could never be collected. */
    private static final class Release implements Runnable {
        private final VaultHandle handle;

        Release(VaultHandle handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            RvNative.rv_vault_free(handle);
            RELEASED.incrementAndGet();
        }
    }

    private NativeVault(VaultHandle handle) {
        this.handle = handle;
        this.cleanable = Ffi.CLEANER.register(this, new Release(handle));
    }

    /**
     * {@code rv_vault_open}: the arguments are already checked (see {@link Ffi#text}, {@link Ffi#json}).
     *
     * @param path the file
     * @param optionsJson the options, or {@code null}
     * @return the open handle, owned by the new object
     */
    static NativeVault open(String path, String optionsJson) {
        PointerByReference out = new PointerByReference();
        Ffi.check(RvNative.rv_vault_open(path, optionsJson, out));
        Pointer raw = out.getValue();
        if (raw == null) {
            throw new InternalErrorException(ResultCode.PANIC.value(), "rv_vault_open succeeded without a handle");
        }
        return new NativeVault(new VaultHandle(raw));
    }

    /**
     * {@code rv_vault_close}, then {@code rv_vault_free} once no call runs on another thread. Calls
     * that start later throw {@link ClosedException}. A second close does nothing.
     */
    void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                RvNative.rv_vault_close(handle); // RV_CLOSED cannot happen here; nothing to report
            } finally {
                release();
            }
        }
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        return closed.get();
    }

    /** How many handles the binding has freed (for tests of the cleaner). */
    static long releasedHandles() {
        return RELEASED.get();
    }

    /** A call that uses the handle. */
    @FunctionalInterface
    interface Call<T> {
        T run(VaultHandle h);
    }

    /**
     * Runs {@code body} with the handle, counted as a call in flight so that no close frees the
     * handle under it.
     *
     * @throws ClosedException if the handle was already released
     */
    <T> T use(Call<T> body) {
        while (true) {
            long n = users.get();
            if (n == 0) {
                throw new ClosedException("the vault was closed (Vault.close) and its handle released");
            }
            if (users.compareAndSet(n, n + 1)) {
                break;
            }
        }
        try {
            return body.run(handle);
        } finally {
            release();
            Reference.reachabilityFence(this);
        }
    }

    private void release() {
        if (users.decrementAndGet() == 0) {
            cleanable.clean();
        }
    }

    /** A C function answering a JSON string through an out-param. */
    @FunctionalInterface
    interface JsonCall {
        int run(VaultHandle h, PointerByReference out);
    }

    /** A C function answering a buffer and its length through out-params. */
    @FunctionalInterface
    interface BytesCall {
        int run(VaultHandle h, PointerByReference out, SizeTByReference outLen);
    }

    /** Runs a {@link JsonCall}, checks its code, copies, frees and parses its answer. */
    Json callJson(JsonCall call) {
        return use(h -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(call.run(h, out));
            return Ffi.takeJson(out);
        });
    }

    /** Runs a {@link BytesCall}, checks its code, copies and frees its buffer. */
    byte[] callBytes(BytesCall call) {
        return use(h -> {
            PointerByReference out = new PointerByReference();
            SizeTByReference len = new SizeTByReference();
            Ffi.check(call.run(h, out, len));
            return Ffi.takeBytes(out, len);
        });
    }
}
