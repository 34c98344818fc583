package vn.resultsvault;

import com.sun.jna.Pointer;
import com.sun.jna.PointerType;

/**
 * The opaque C {@code rv_vault*}, as the raw functions of {@link RvNative} take it.
 *
 * <p>Application code uses {@link Vault}, which owns a handle, keeps it alive while calls run, and
 * frees it exactly once. A {@code VaultHandle} on its own does nothing of that: it is only a typed
 * pointer.
 */
public final class VaultHandle extends PointerType {
    /** A NULL handle (JNA needs a public no-argument constructor). */
    public VaultHandle() {
        super();
    }

    /**
     * Wraps a pointer that {@code rv_vault_open} wrote.
     *
     * @param p the {@code rv_vault*}
     */
    public VaultHandle(Pointer p) {
        super(p);
    }
}
