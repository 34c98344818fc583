package vn.resultsvault;

import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * Verification without a vault, against the caller's trust material: a detached CMS signature, and every
 * signature of a signed PDF.
 */
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

    /**
     * Verifies every signature and document timestamp of a signed PDF (PAdES) with no trust material:
     * nothing can be PASSED, but the PDF's facts (coverage, changes after signing, integrity) are
     * there. See {@link #verifyPdf(byte[], String)}.
     *
     * @param pdf the PDF's bytes
     * @return the PDF's verdict
     * @throws PdfUnreadableException if the bytes cannot be read as a PDF
     */
    public static Json verifyPdf(byte[] pdf) {
        return verifyPdfWith(pdf, null);
    }

    /**
     * Verifies every signature and document timestamp of a signed PDF (PAdES). Each signature's policy
     * follows its {@code /SubFilter}, so none is given. A badly signed, altered or unsigned PDF is a
     * verdict, not an exception.
     *
     * @param pdf the PDF's bytes
     * @param optionsJson {@code null} or an object with any of {@code "anchors"}, {@code "intermediates"},
     *     {@code "crls"} (lists of PEM text or hex DER, as for {@link #verifyDetached(byte[], byte[], String)}),
     *     {@code "validation_time"} (RFC 3339; default now), {@code "proof_of_existence"} (RFC 3339);
     *     without anchors no signature can be PASSED; unknown fields are refused
     * @return the PDF's verdict: {@code revisions}, {@code indication} ({@code PASSED},
     *     {@code INDETERMINATE}, {@code FAILED}), {@code sub_indication}, {@code signatures} (in signing
     *     order, each with {@code field}, {@code kind}, {@code sub_filter}, {@code claimed_time},
     *     {@code reason}, {@code location}, {@code signed_revision}, {@code covers_whole_file},
     *     {@code coverage_problem}, {@code modified_after_signing}, {@code changes_after_signing},
     *     {@code certification} and {@code verdict})
     * @throws PdfUnreadableException if the bytes cannot be read as a PDF
     * @throws InvalidArgumentException if the options are not valid
     * @throws LibraryLoadException if the native library cannot be loaded
     */
    public static Json verifyPdf(byte[] pdf, String optionsJson) {
        return verifyPdfWith(pdf, optionsJson);
    }

    /**
     * Verifies every signature of a signed PDF, the options given as a map (see
     * {@link #verifyPdf(byte[], String)}).
     *
     * @param pdf the PDF's bytes
     * @param options the options
     * @return the PDF's verdict
     */
    public static Json verifyPdf(byte[] pdf, Map<String, ?> options) {
        return verifyPdfWith(pdf, options);
    }

    private static Json verifyPdfWith(byte[] pdf, Object options) {
        NativeLoader.ensureLoaded();
        byte[] p = Ffi.bytes(pdf, "pdf");
        String o = Ffi.json(options, "options_json");
        PointerByReference out = new PointerByReference();
        Ffi.check(RvNative.rv_verify_pdf(p, Ffi.len(p), o, out));
        return Ffi.takeJson(out);
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
