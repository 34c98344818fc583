package vn.resultsvault;

import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/** Verification of a detached CMS signature without a vault, against the caller's trust material. */
public final class Verifier {
    private Verifier() {
    }

    /**
     * Verifies a detached CMS signature over {@code content}. A bad signature is a verdict, not an
     * exception.
     *
     * @param cms the CMS, DER or BER
     * @param content the signed bytes
     * @param paramsJson {@code {"anchors": [...], "intermediates": [...], "crls": [...]}}, each item
     *     PEM text or hex DER ({@code anchors} required), optionally {@code "validation_time"}
     *     (RFC 3339; default now), {@code "proof_of_existence"} (RFC 3339), {@code "policy"}
     *     ({@code "cades-baseline"}, the default, which requires the signing-certificate attribute;
     *     {@code "pkcs7-detached"}; or a policy object), {@code "all_signers"} (boolean)
     * @return an array of verdicts, one per SignerInfo verified: {@code indication} ({@code PASSED},
     *     {@code INDETERMINATE}, {@code FAILED}), {@code sub_indication}, {@code detail},
     *     {@code signer}, {@code chain}, {@code revocation}, {@code crls_used}...
     * @throws InvalidArgumentException if the parameters are not valid
     * @throws LibraryLoadException if the native library cannot be loaded
     */
    public static Json verifyDetached(byte[] cms, byte[] content, String paramsJson) {
        return verifyWith(cms, content, paramsJson);
    }

    /**
     * Verifies a detached CMS signature, the parameters given as a map (see
     * {@link #verifyDetached(byte[], byte[], String)}).
     *
     * @param cms the CMS, DER or BER
     * @param content the signed bytes
     * @param params the parameters
     * @return an array of verdicts
     */
    public static Json verifyDetached(byte[] cms, byte[] content, Map<String, ?> params) {
        return verifyWith(cms, content, params);
    }

    private static Json verifyWith(byte[] cms, byte[] content, Object params) {
        NativeLoader.ensureLoaded();
        byte[] c = Ffi.bytes(cms, "cms");
        byte[] d = Ffi.bytes(content, "content");
        String p = Ffi.json(params, "params_json");
        PointerByReference out = new PointerByReference();
        Ffi.check(RvNative.rv_verify_detached(c, Ffi.len(c), d, Ffi.len(d), p, out));
        return Ffi.takeJson(out);
    }
}
