package vn.resultsvault;

import java.util.Objects;

/**
 * A vault's signing: the two-phase signing of stored results with a remote signing provider, and
 * the signatures the vault accepted. {@link #beginSigning(String, byte[], String)} opens a session
 * (stored in the vault, so the reply may come back in another request, or after a restart) and
 * says what the provider must sign; {@link #completeSigningRaw(String, RawSignatureAlgorithm, byte[])}
 * or {@link #completeSigningCms(String, byte[])} verify the provider's reply and store it. A CMS
 * made elsewhere is added with {@link #attachSignature(String, byte[])}.
 *
 * <pre>{@code
 * Signing signing = vault.signing();
 * Json session = signing.beginSigning(id, officerCertificateChainPem);
 * byte[] toSign = HexFormat.of().parseHex(session.get("signed_attributes").asString());
 * signing.completeSigningRaw(session.get("session_id").asString(), RawSignatureAlgorithm.RSA_PKCS1,
 *         remoteSigner.signSha256WithRsa(toSign));
 * }</pre>
 *
 * <p>Obtained with {@link Vault#signing()}: a thin view of that vault, sharing its native handle.
 * It may be shared by threads as the vault is; once the vault is closed its methods throw
 * {@link ClosedException}.
 */
public final class Signing {
    private final NativeVault nativeVault;

    Signing(NativeVault nativeVault) {
        this.nativeVault = nativeVault;
    }

    /**
     * Begins a two-phase signing session with SHA-256 (see {@link #beginSigning(String, byte[], String)}).
     *
     * @param id the result id
     * @param chain the signer's certificate chain, signer first, PEM or DER
     * @return the session
     */
    public Json beginSigning(String id, byte[] chain) {
        return beginSigning(id, chain, null);
    }

    /**
     * Begins a two-phase signing session for a stored result. Give the provider what it signs:
     * {@code signed_attributes} (hex DER) to a signer that hashes itself,
     * {@code signed_attributes_digest} to a CSC {@code signHash}, {@code envelope_digest} to a
     * provider that answers a whole CMS. The session is stored and survives a restart until it
     * expires.
     *
     * @param id the result id
     * @param chain the signer's certificate chain, signer first: PEM (one or more blocks) or DER
     *     certificates one after the other
     * @param digest {@code "SHA-256"}, {@code "SHA-384"}, {@code "SHA-512"} (Ed25519 keys), or
     *     {@code null} for SHA-256
     * @return the session: {@code session_id}, {@code result_id}, {@code digest_algorithm},
     *     {@code key}, {@code certificate_chain}, {@code envelope_digest}, {@code signed_attributes},
     *     {@code signed_attributes_digest}, {@code signing_time}, {@code created_at},
     *     {@code expires_at}, {@code state}
     * @throws SigningRequestRefusedException if the chain, digest or key type is refused
     */
    public Json beginSigning(String id, byte[] chain, String digest) {
        String i = Ffi.text(id, "id");
        byte[] c = Ffi.bytes(chain, "chain");
        String d = Ffi.text(digest, "digest");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_begin_signing(h, i, c, Ffi.len(c), d, out));
    }

    /**
     * A signing session in whatever state it is ({@code "OPEN"}, {@code "COMPLETED"},
     * {@code "CANCELLED"}).
     *
     * @param sessionId the session id
     * @return the session
     * @throws NotFoundException if it is unknown
     */
    public Json signingSession(String sessionId) {
        String s = Ffi.text(sessionId, "session_id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_signing_session(h, s, out));
    }

    /**
     * Cancels an open session: a reply that comes later is refused.
     *
     * @param sessionId the session id
     * @return the session after the change
     */
    public Json cancelSigning(String sessionId) {
        String s = Ffi.text(sessionId, "session_id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_cancel_signing(h, s, out));
    }

    /**
     * Completes a session with a raw signature value over the session's {@code signed_attributes}.
     * The signature is verified before it is stored; on refusal nothing is stored and the session
     * stays open. Completing again with the same reply returns the same signature.
     *
     * @param sessionId the session id
     * @param algorithm the signature algorithm
     * @param signature the signature value
     * @return the stored signature: {@code result_id}, {@code sha256}, {@code cms} (hex DER),
     *     {@code signer_certificate}, {@code source}, {@code proof_of_existence}, {@code event_seq},
     *     {@code acceptance} (the verdict)
     * @throws SignatureRefusedException if the signature does not verify
     * @throws SessionUnusableException if the session expired, was cancelled or completed otherwise
     */
    public Json completeSigningRaw(String sessionId, RawSignatureAlgorithm algorithm, byte[] signature) {
        return completeSigningRaw(sessionId, Objects.requireNonNull(algorithm, "algorithm").name(), signature);
    }

    /**
     * Completes a session with a raw signature value (see
     * {@link #completeSigningRaw(String, RawSignatureAlgorithm, byte[])}).
     *
     * @param sessionId the session id
     * @param algorithm {@code "RSA_PKCS1"}, {@code "RSA_PSS"}, {@code "ECDSA"} or {@code "ED25519"}
     * @param signature the signature value
     * @return the stored signature
     */
    public Json completeSigningRaw(String sessionId, String algorithm, byte[] signature) {
        String s = Ffi.text(sessionId, "session_id");
        String a = Ffi.text(algorithm, "algorithm");
        byte[] v = Ffi.bytes(signature, "value");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_complete_signing_raw(h, s, a, v, Ffi.len(v), out));
    }

    /**
     * Completes a session with a whole detached CMS over the record's envelope (DER or BER), as
     * VNPT SmartCA and Viettel MySign answer.
     *
     * @param sessionId the session id
     * @param cms the CMS
     * @return the stored signature
     * @throws SignatureRefusedException if the CMS does not verify
     */
    public Json completeSigningCms(String sessionId, byte[] cms) {
        String s = Ffi.text(sessionId, "session_id");
        byte[] c = Ffi.bytes(cms, "cms");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_complete_signing_cms(h, s, c, Ffi.len(c), out));
    }

    /**
     * Attaches a detached CMS made elsewhere over the record's {@link Vault#envelope(String)},
     * verified as a completed session's reply is.
     *
     * @param id the result id
     * @param cms the CMS
     * @return the stored signature
     * @throws SignatureRefusedException if the CMS does not verify
     */
    public Json attachSignature(String id, byte[] cms) {
        String i = Ffi.text(id, "id");
        byte[] c = Ffi.bytes(cms, "cms");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_attach_signature(h, i, c, Ffi.len(c), out));
    }

    /**
     * The signatures the vault accepted for a record, oldest first.
     *
     * @param id the result id
     * @return an array of stored signatures
     */
    public Json signatures(String id) {
        String i = Ffi.text(id, "id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_signatures(h, i, out));
    }

    /**
     * The latest verdict kept with each of a record's signatures, in the order of
     * {@link #signatures(String)}.
     *
     * @param id the result id
     * @return an array whose items are a verdict or {@code null}
     */
    public Json signatureChecks(String id) {
        String i = Ffi.text(id, "id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_signature_checks(h, i, out));
    }
}
