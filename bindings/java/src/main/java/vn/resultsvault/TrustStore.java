package vn.resultsvault;

import com.sun.jna.ptr.ByteByReference;

/**
 * A vault's trust store: the certificates and CRLs its verdicts rely on. Trust anchors (e.g. the
 * National Root CA) are trusted as they are; intermediate CA certificates only through an anchor;
 * a CRL only once a stored issuer's signature on it checks. Every signature the vault accepts or
 * verifies is judged against this store, and the CRLs a verdict used are kept with it as evidence
 * ({@link #keptCrl(String)}) even after they leave the store.
 *
 * <pre>{@code
 * TrustStore trust = vault.trustStore();
 * trust.addTrustAnchor(rootCaDer);
 * trust.addCrl(currentCrlDer);
 * }</pre>
 *
 * <p>Obtained with {@link Vault#trustStore()}: a thin view of that vault, sharing its native handle.
 * It may be shared by threads as the vault is; once the vault is closed its methods throw
 * {@link ClosedException}.
 */
public final class TrustStore {
    private final NativeVault nativeVault;

    TrustStore(NativeVault nativeVault) {
        this.nativeVault = nativeVault;
    }

    /**
     * Adds a trust anchor (e.g. the National Root CA).
     *
     * @param certificate one certificate, DER or PEM
     * @return the stored item {@code {"kind", "sha256", "name", "added_at"}}; the same item twice returns it
     * @throws TrustRefusedException if it is not a usable CA certificate
     */
    public Json addTrustAnchor(byte[] certificate) {
        byte[] d = Ffi.bytes(certificate, "der");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_add_trust_anchor(h, d, Ffi.len(d), out));
    }

    /**
     * Adds an intermediate CA certificate, trusted only through an anchor.
     *
     * @param certificate one certificate, DER or PEM
     * @return the stored item
     * @throws TrustRefusedException if it is refused
     */
    public Json addIntermediate(byte[] certificate) {
        byte[] d = Ffi.bytes(certificate, "der");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_add_intermediate(h, d, Ffi.len(d), out));
    }

    /**
     * Adds a CRL; its signature is checked against a stored issuer first.
     *
     * @param crl one CRL, DER or PEM
     * @return the stored item
     * @throws TrustRefusedException if no stored issuer signed it
     */
    public Json addCrl(byte[] crl) {
        byte[] d = Ffi.bytes(crl, "der");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_add_crl(h, d, Ffi.len(d), out));
    }

    /**
     * Removes a trust item.
     *
     * @param sha256Hex the item's SHA-256 (64 hex digits)
     * @return {@code false} when there was no such item
     */
    public boolean removeTrustItem(String sha256Hex) {
        String s = Ffi.text(sha256Hex, "sha256_hex");
        return nativeVault.use(h -> {
            ByteByReference removed = new ByteByReference();
            Ffi.check(RvNative.rv_vault_remove_trust_item(h, s, removed));
            return removed.getValue() != 0;
        });
    }

    /**
     * The trust store's items.
     *
     * @return an array of {@code {"kind", "sha256", "name", "added_at"}}
     */
    public Json trustItems() {
        return nativeVault.callJson(RvNative::rv_vault_trust_items);
    }

    /**
     * The trust material itself, e.g. to verify elsewhere with {@link Verifier#verifyDetached}.
     *
     * @return {@code {"anchors": [hex DER...], "intermediates": [...], "crls": [...]}}
     */
    public Json trustMaterial() {
        return nativeVault.callJson(RvNative::rv_vault_trust_material);
    }

    /**
     * A CRL kept as evidence with a verdict (as the verdict's {@code crls_used} names it), even after
     * it left the trust store.
     *
     * @param sha256Hex the CRL's SHA-256
     * @return the CRL's DER bytes
     * @throws NotFoundException if none is kept
     */
    public byte[] keptCrl(String sha256Hex) {
        String s = Ffi.text(sha256Hex, "sha256_hex");
        return nativeVault.callBytes((h, out, len) -> RvNative.rv_vault_kept_crl(h, s, out, len));
    }
}
