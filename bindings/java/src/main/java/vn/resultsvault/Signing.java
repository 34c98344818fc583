package vn.resultsvault;

import java.util.Map;
import java.util.Objects;

/**
 * A vault's signing: the two-phase signing of stored results with a remote signing provider, and
 * the signatures the vault accepted. {@link #beginSigning(String, byte[], String)} opens a session
 * (stored in the vault, so the reply may come back in another request, or after a restart) and
 * says what the provider must sign; {@link #completeSigningRaw(String, RawSignatureAlgorithm, byte[])}
 * or {@link #completeSigningCms(String, byte[])} verify the provider's reply and store it. A CMS
 * made elsewhere is added with {@link #attachSignature(String, byte[])}. With a provider the library
 * talks to itself (CSC, VNPT SmartCA, Viettel MySign), {@link #signRemote(String, String, String, String)}
 * does the whole flow, waiting for the officer's approval.
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
     * Signs a stored result through a remote signing provider with the default options (see
     * {@link #signRemote(String, String, String, String)}).
     *
     * @param provider {@code "csc"}, {@code "vnpt-smartca"} or {@code "viettel-mysign"}
     * @param config the provider configuration, or {@code null} for the environment only
     * @param resultId the result id
     * @return the stored signature
     */
    public Json signRemote(String provider, Map<String, ?> config, String resultId) {
        return signRemoteWith(provider, config, resultId, null);
    }

    /**
     * Signs a stored result through a remote signing provider, the configuration and options given as
     * maps (see {@link #signRemote(String, String, String, String)}).
     *
     * @param provider {@code "csc"}, {@code "vnpt-smartca"} or {@code "viettel-mysign"}
     * @param config the provider configuration, or {@code null} for the environment only
     * @param resultId the result id
     * @param options the options, or {@code null} for the defaults
     * @return the stored signature
     */
    public Json signRemote(String provider, Map<String, ?> config, String resultId, Map<String, ?> options) {
        return signRemoteWith(provider, config, resultId, options);
    }

    /**
     * Signs a stored result through a remote signing provider and stores the signature
     * ({@code rv_vault_sign_remote}): the library asks the provider for the officer's certificate,
     * begins a signing session, sends the hash, then polls until the officer approves on the phone,
     * refuses, or {@code wait_seconds} runs out. The answer is verified before anything is stored.
     *
     * <p><b>Blocking:</b> the call returns only when the officer has answered or {@code wait_seconds}
     * (default 300) has passed: run it on a worker thread, never on a request thread.
     *
     * <p>The configuration of {@code "vnpt-smartca"}: {@code base_url}, {@code sp_id},
     * {@code sp_password}, {@code user_id} (the officer's CCCD, which the certificate's subject must
     * hold), and optionally {@code serial_number}, {@code answer} ({@code "cms"} or {@code "raw"}),
     * {@code timeout_seconds}, {@code ca_file}, {@code certificate_sha256} (pins the officer's
     * certificate); see results_vault.h for {@code "csc"} and {@code "viettel-mysign"}. Environment
     * variables {@code RVAULT_SMARTCA_<FIELD>}, {@code RVAULT_CSC_<FIELD>}, {@code RVAULT_MYSIGN_<FIELD>}
     * fill or override its fields, so secrets can stay out of the code.
     *
     * @param provider {@code "csc"}, {@code "vnpt-smartca"} or {@code "viettel-mysign"}
     * @param configJson the provider configuration as a JSON object, or {@code null} for the
     *     environment only
     * @param resultId the result id
     * @param optionsJson {@code null} or an object with any of {@code "wait_seconds"},
     *     {@code "poll_interval_ms"} (default 2000), {@code "max_poll_interval_ms"} (default 10000),
     *     {@code "digest"} ({@code "SHA-256"}), {@code "description"} (what the officer sees)
     * @return the stored signature, as {@link #completeSigningRaw(String, String, byte[])} returns it
     *     (its {@code source} holds the {@code session_id})
     * @throws ProviderPendingException if the officer has not approved within {@code wait_seconds}:
     *     resume {@link ProviderException#sessionId()} with
     *     {@link #resumeRemote(String, String, String, String)}
     * @throws ProviderDeclinedException if the officer refused, did not approve in time, or the
     *     provider refused (certificate, quota, credentials)
     * @throws ProviderUnreachableException if the provider could not be reached
     * @throws ProviderBadAnswerException if the provider answered something malformed or another
     *     signer's certificate
     * @throws ProviderOutcomeUnknownException if whether the provider got the request is unknown
     * @throws ProviderConfigException if the configuration is invalid or incomplete
     * @throws SignatureRefusedException if the provider's signature does not verify
     * @throws NotFoundException if there is no such result
     */
    public Json signRemote(String provider, String configJson, String resultId, String optionsJson) {
        return signRemoteWith(provider, configJson, resultId, optionsJson);
    }

    private Json signRemoteWith(String provider, Object config, String resultId, Object options) {
        String p = Ffi.text(provider, "provider");
        String c = Ffi.json(config, "config_json");
        String r = Ffi.text(resultId, "result_id");
        String o = Ffi.json(options, "options_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_sign_remote(h, p, c, r, o, out));
    }

    /**
     * Goes on with a remote signing session, the configuration and options given as maps (see
     * {@link #resumeRemote(String, String, String, String)}).
     *
     * @param provider the provider the session was sent to
     * @param config the provider configuration, or {@code null} for the environment only
     * @param sessionId the session id
     * @param options the options, or {@code null} for the defaults
     * @return the stored signature
     */
    public Json resumeRemote(String provider, Map<String, ?> config, String sessionId, Map<String, ?> options) {
        return resumeRemoteWith(provider, config, sessionId, options);
    }

    /**
     * Goes on with a remote signing session after a {@link ProviderPendingException} or a restart
     * ({@code rv_vault_resume_remote}): polls the provider (the request is never sent again) until the
     * officer answers or {@code wait_seconds} runs out, and stores the verified signature. A session
     * already completed returns its signature. <b>Blocking</b>, as
     * {@link #signRemote(String, String, String, String)}.
     *
     * @param provider the provider the session was sent to
     * @param configJson the provider configuration, or {@code null} for the environment only
     * @param sessionId the session id, from {@link ProviderException#sessionId()}
     * @param optionsJson {@code null} or the options of {@link #signRemote(String, String, String, String)}
     *     ({@code "digest"} is ignored)
     * @return the stored signature
     * @throws ProviderPendingException if still not approved: call again later
     * @throws ProviderDeclinedException if refused, or the session already ended at the provider
     * @throws ProviderConfigException if the session is another provider's or was not sent to one
     * @throws NotFoundException if there is no such session
     */
    public Json resumeRemote(String provider, String configJson, String sessionId, String optionsJson) {
        return resumeRemoteWith(provider, configJson, sessionId, optionsJson);
    }

    private Json resumeRemoteWith(String provider, Object config, String sessionId, Object options) {
        String p = Ffi.text(provider, "provider");
        String c = Ffi.json(config, "config_json");
        String s = Ffi.text(sessionId, "session_id");
        String o = Ffi.json(options, "options_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_resume_remote(h, p, c, s, o, out));
    }

    /**
     * Where the provider request of a signing session stands, as the vault stored it
     * ({@code rv_vault_remote_request}); the provider is not called.
     *
     * @param sessionId the session id
     * @return the request: {@code session_id}, {@code provider}, {@code client_request_id},
     *     {@code provider_transaction_id}, {@code state} ({@code "sending"}, {@code "waiting"},
     *     {@code "approved"}, {@code "rejected"}, {@code "expired"}, {@code "failed"},
     *     {@code "unknown"}), {@code detail}, {@code outcome} (e.g. {@code {"kind":"rejected_by_user"}}),
     *     {@code polls}, {@code created_at}, {@code updated_at}
     * @throws NotFoundException if there is no such session, or it was not sent to a provider
     */
    public Json remoteRequest(String sessionId) {
        String s = Ffi.text(sessionId, "session_id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_remote_request(h, s, out));
    }

    /**
     * The provider requests a restarted portal must resume, oldest first
     * ({@code rv_vault_unfinished_remote_requests}): those still {@code "sending"}, {@code "waiting"}
     * or {@code "approved"} whose signing session is not completed. The provider is not called. Resume
     * each with {@link #resumeRemote(String, Map, String, Map)} (its {@code provider} and
     * {@code session_id}, with that provider's configuration), e.g. from a worker started with the
     * portal.
     *
     * @return an array of requests, each as {@link #remoteRequest(String)} returns it; empty when none
     */
    public Json unfinishedRemoteRequests() {
        return nativeVault.callJson(RvNative::rv_vault_unfinished_remote_requests);
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
