package vn.resultsvault;

import com.sun.jna.ptr.ByteByReference;
import java.util.Map;

/**
 * A vault's trust store: the certificates, CRLs and OCSP responses its verdicts rely on. Trust
 * anchors (e.g. the National Root CA) are trusted as they are; intermediate CA certificates only
 * through an anchor; a CRL or an OCSP response only once a stored CA's signature on it checks; and
 * {@link #refreshRevocation(Map)} fetches the revocation data the certificates name. Every
 * signature the vault accepts or verifies is judged against this store, and the CRLs and OCSP
 * responses a verdict used are kept with it as evidence ({@link #keptCrl(String)}) even after they
 * leave the store.
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
     * Adds an OCSP response (a DER OCSPResponse, RFC 6960, as a responder answers or
     * {@code openssl ocsp -respout} writes it). It is checked first: signed by a stored CA or by a
     * responder that CA authorized, about certificates it issued. Verifications then read it as
     * revocation evidence, like a CRL, and name it in a verdict's {@code ocsp_used}.
     *
     * @param response one OCSP response, DER (or PEM)
     * @return the stored item {@code {"kind": "ocsp", "sha256", "name", "added_at"}} ({@code name}: the CA
     *     it answers for); the same response twice returns it
     * @throws TrustRefusedException if it is not a successful OCSP response or no stored CA vouches for it
     */
    public Json addOcspResponse(byte[] response) {
        byte[] d = Ffi.bytes(response, "der");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_add_ocsp_response(h, d, Ffi.len(d), out));
    }

    /**
     * Refreshes the revocation data from the network with the default options (see
     * {@link #refreshRevocation(Map)}).
     *
     * @return the report {@code {"sources": [...]}}
     */
    public Json refreshRevocation() {
        return refreshRevocation((Map<String, ?>) null);
    }

    /**
     * Refreshes the revocation data from the network ({@code rv_vault_refresh_revocation}): fetches the
     * CRLs that the trust store's CAs' and the stored signers' certificates name in their CRL distribution
     * points, and an OCSP response from each signer's responder (http and https only), checks each answer as
     * {@link #addCrl(byte[])} and {@link #addOcspResponse(byte[])} do, and keeps what is new. A source that
     * fails is reported and the others are still refreshed: this throws only when the vault itself fails.
     *
     * <p><b>Blocking:</b> every source is fetched in turn, each for up to {@code timeout_secs}: run it on a
     * worker thread or in a nightly job, never on a request thread.
     *
     * @param options {@code null} or a map with any of {@code "timeout_secs"} (1 to 600, default 10),
     *     {@code "max_crl_bytes"} (default 32 MiB), {@code "max_ocsp_bytes"} (default 1 MiB)
     * @return the report {@code {"sources": [{"kind": "crl"|"ocsp", "url", "about", "outcome", "sha256"|"reason"}]}}:
     *     {@code outcome} is {@code "added"} or {@code "unchanged"} (with {@code sha256}), {@code "failed"} or
     *     {@code "skipped"} (with {@code reason})
     * @throws InvalidArgumentException if an option is out of its range ({@code RV_INVALID_ARGUMENT}) or
     *     unknown ({@code RV_INVALID_JSON})
     */
    public Json refreshRevocation(Map<String, ?> options) {
        String o = Ffi.json(options, "options_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_refresh_revocation(h, o, out));
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
     * A CRL or OCSP response kept as evidence with a verdict (as the verdict's {@code crls_used} or
     * {@code ocsp_used} names it), even after it left the trust store.
     *
     * @param sha256Hex its SHA-256
     * @return its DER bytes
     * @throws NotFoundException if none is kept
     */
    public byte[] keptCrl(String sha256Hex) {
        String s = Ffi.text(sha256Hex, "sha256_hex");
        return nativeVault.callBytes((h, out, len) -> RvNative.rv_vault_kept_crl(h, s, out, len));
    }
}
