package vn.resultsvault;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The raw C ABI of {@code include/results_vault.h}, one JNA direct-mapped method per function, with
 * the C names (as UniFFI's and lazysodium's JNA layers do). Strings cross as UTF-8
 * ({@code OPTION_STRING_ENCODING}); {@code rv_vault*} is a {@link VaultHandle}; {@code size_t} is a
 * {@link SizeT}; {@code char**} and {@code uint8_t**} out-params are {@link PointerByReference}s;
 * {@code size_t*} a {@link SizeTByReference}; {@code bool*} a {@link ByteByReference}. Every
 * {@code int} return is an {@code rv_result} ({@link ResultCode}); out-params are written only when
 * it is 0.
 *
 * <p><b>This layer does not manage memory or errors.</b> A string or buffer the library returns must
 * be freed with {@link #rv_string_free} / {@link #rv_bytes_free}; a handle must be closed and freed
 * exactly once. Application code should use {@link Vault} and {@link Verifier}, which do all of that.
 * The raw methods are public for tests, benchmarks and functions a future library adds before the
 * wrapper does.
 *
 * <p>Loading: the class's initializer loads the library (see {@link ResultsVault#load()}) and
 * refuses one whose {@code rv_abi_version()} is not {@link ResultsVault#EXPECTED_ABI_VERSION}; a
 * failure surfaces as an {@link ExceptionInInitializerError} whose cause is a
 * {@link LibraryLoadException}. Call {@link ResultsVault#load()} first to get that exception
 * directly.
 */
public final class RvNative {
    static {
        com.sun.jna.NativeLibrary lib = NativeLoader.library();
        try {
            Native.register(RvNative.class, lib);
        } catch (LinkageError | RuntimeException e) {
            throw NativeLoader.registrationFailed(e);
        }
    }

    private RvNative() {
    }

    /** Forces the class (and so the library) to load. */
    static void touch() {
    }

    // ---- Library ----

    /**
     * {@code const char *rv_version(void)}: the library's version (static; never freed).
     *
     * @return e.g. {@code "0.1.0"}
     */
    public static native String rv_version();

    /**
     * {@code uint32_t rv_abi_version(void)}: the ABI version, which must equal
     * {@link ResultsVault#EXPECTED_ABI_VERSION}.
     *
     * @return the ABI version
     */
    public static native int rv_abi_version();

    /**
     * {@code const char *rv_result_name(int code)}: a code's C name (static; never freed).
     *
     * @param code a code
     * @return e.g. {@code "RV_NOT_FOUND"}; {@code "RV_UNKNOWN"} for an unknown value
     */
    public static native String rv_result_name(int code);

    /**
     * {@code const char *rv_last_error_message(void)}: the message of the calling thread's last
     * failed call (empty if none). Owned by the library: JNA copies it into the returned
     * {@code String}; it is never freed.
     *
     * @return the message
     */
    public static native String rv_last_error_message();

    /**
     * {@code void rv_string_free(char *s)}: frees a string the library returned. NULL is ignored.
     *
     * @param s the string's pointer, as an out-param received it
     */
    public static native void rv_string_free(Pointer s);

    /**
     * {@code void rv_bytes_free(uint8_t *p, size_t len)}: frees a buffer the library returned, with
     * the length it returned. NULL is ignored.
     *
     * @param p the buffer's pointer
     * @param len its length
     */
    public static native void rv_bytes_free(Pointer p, SizeT len);

    // ---- Handle ----

    /**
     * {@code rv_vault_open(path, options_json, rv_vault **out)}: opens or creates a vault file.
     *
     * @param path the file's path
     * @param optionsJson {@code null} or the options object (see {@link Vault#open(String, String)})
     * @param out receives the new {@code rv_vault*}: wrap it in a {@link VaultHandle}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_open(String path, String optionsJson, PointerByReference out);

    /**
     * {@code rv_vault_close(rv_vault *v)}: closes the vault; later calls return {@code RV_CLOSED}.
     *
     * @param v the handle
     * @return an {@code rv_result} ({@code RV_CLOSED} on a second close)
     */
    public static native int rv_vault_close(VaultHandle v);

    /**
     * {@code void rv_vault_free(rv_vault *v)}: releases the handle (closing it first if open). The
     * handle must not be used again by any thread.
     *
     * @param v the handle, or {@code null}
     */
    public static native void rv_vault_free(VaultHandle v);

    /**
     * {@code rv_vault_path(v, char **out_path)}: the vault file's path.
     *
     * @param v the handle
     * @param outPath receives a string to free with {@link #rv_string_free}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_path(VaultHandle v, PointerByReference outPath);

    // ---- Records ----

    /**
     * {@code rv_vault_ingest(v, meta_json, content, content_len, out_json)}.
     *
     * @param v the handle
     * @param metaJson the record's metadata
     * @param content the content
     * @param contentLen its length
     * @param outJson receives {@code {"record", "created"}}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_ingest(VaultHandle v, String metaJson, byte[] content, SizeT contentLen,
            PointerByReference outJson);

    /**
     * {@code rv_vault_ingest_batch(v, metas_json, contents, content_lens, count, out_json)}.
     *
     * @param v the handle
     * @param metasJson a JSON array of {@code count} metadata objects
     * @param contents native memory holding {@code count} pointers to the contents
     * @param contentLens native memory holding {@code count} {@code size_t} lengths
     * @param count the number of results
     * @param outJson receives an array of {@code {"record", "created"}}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_ingest_batch(VaultHandle v, String metasJson, Pointer contents,
            Pointer contentLens, SizeT count, PointerByReference outJson);

    /**
     * {@code rv_vault_get(v, id, out_json)}: a record by id.
     *
     * @param v the handle
     * @param id the result id (ULID)
     * @param outJson receives the record
     * @return an {@code rv_result}
     */
    public static native int rv_vault_get(VaultHandle v, String id, PointerByReference outJson);

    /**
     * {@code rv_vault_read_content(v, id, out_bytes, out_len)}: a result's content, checked.
     *
     * @param v the handle
     * @param id the result id
     * @param outBytes receives a buffer to free with {@link #rv_bytes_free}
     * @param outLen receives its length
     * @return an {@code rv_result}
     */
    public static native int rv_vault_read_content(VaultHandle v, String id, PointerByReference outBytes,
            SizeTByReference outLen);

    /**
     * {@code rv_vault_find_by_hash(v, sha256_hex, out_json)}.
     *
     * @param v the handle
     * @param sha256Hex 64 hex digits
     * @param outJson receives an array of records
     * @return an {@code rv_result}
     */
    public static native int rv_vault_find_by_hash(VaultHandle v, String sha256Hex, PointerByReference outJson);

    /**
     * {@code rv_vault_envelope(v, id, out_bytes, out_len)}: the canonical envelope bytes.
     *
     * @param v the handle
     * @param id the result id
     * @param outBytes receives a buffer to free with {@link #rv_bytes_free}
     * @param outLen receives its length
     * @return an {@code rv_result}
     */
    public static native int rv_vault_envelope(VaultHandle v, String id, PointerByReference outBytes,
            SizeTByReference outLen);

    /**
     * {@code rv_vault_history(v, id, out_json)}: a record's audit events.
     *
     * @param v the handle
     * @param id the result id
     * @param outJson receives an array of events
     * @return an {@code rv_result}
     */
    public static native int rv_vault_history(VaultHandle v, String id, PointerByReference outJson);

    /**
     * {@code rv_vault_revoke(v, id, change_json, out_json)}.
     *
     * @param v the handle
     * @param id the result id
     * @param changeJson {@code {"reason", "decision_ref", "at", "by"}}
     * @param outJson receives the record after the change
     * @return an {@code rv_result}
     */
    public static native int rv_vault_revoke(VaultHandle v, String id, String changeJson, PointerByReference outJson);

    /**
     * {@code rv_vault_supersede(v, old_id, new_id, change_json, out_json)}.
     *
     * @param v the handle
     * @param oldId the replaced result
     * @param newId its replacement
     * @param changeJson as for {@link #rv_vault_revoke}
     * @param outJson receives the old record after the change
     * @return an {@code rv_result}
     */
    public static native int rv_vault_supersede(VaultHandle v, String oldId, String newId, String changeJson,
            PointerByReference outJson);

    /**
     * {@code rv_vault_find_reusable(v, query_json, requester_json, size_t *out_count, out_json)}.
     *
     * @param v the handle
     * @param queryJson {@code {"subject_kind", "subject_id", "document_type", "at"}}
     * @param requesterJson {@code {"agency_code", "procedure_code", "dossier_code", "purpose"}}
     * @param outCount {@code null} or receives the number of results handed out
     * @param outJson {@code null} (no JSON is encoded) or receives {@code {"results", "verdicts", "excluded"}}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_find_reusable(VaultHandle v, String queryJson, String requesterJson,
            SizeTByReference outCount, PointerByReference outJson);

    /**
     * {@code rv_vault_stats(v, from, to, out_json)}: statistics per agency over {@code [from, to)}.
     *
     * @param v the handle
     * @param from an RFC 3339 time
     * @param to an RFC 3339 time
     * @param outJson receives an array of per-agency statistics
     * @return an {@code rv_result}
     */
    public static native int rv_vault_stats(VaultHandle v, String from, String to, PointerByReference outJson);

    /**
     * {@code rv_vault_verify_log(v, head_json, bool *out_intact, out_json)}.
     *
     * @param v the handle
     * @param headJson {@code null} or a head kept outside, {@code {"seq", "hash"}}
     * @param outIntact {@code null} or receives 1 when nothing was found wrong
     * @param outJson {@code null} or receives the report
     * @return an {@code rv_result}
     */
    public static native int rv_vault_verify_log(VaultHandle v, String headJson, ByteByReference outIntact,
            PointerByReference outJson);

    /**
     * {@code rv_vault_verify_log_with(v, options_json, bool *out_intact, out_json)}: the audit with
     * options {@code {"against": {"seq", "hash"}, "skip_contents": true}}.
     *
     * @param v the handle
     * @param optionsJson {@code null} or the options
     * @param outIntact {@code null} or receives 1 when nothing was found wrong
     * @param outJson {@code null} or receives the report
     * @return the result code
     */
    public static native int rv_vault_verify_log_with(VaultHandle v, String optionsJson, ByteByReference outIntact,
            PointerByReference outJson);

    /**
     * {@code rv_vault_log_head(v, out_json)}: the newest audit event {@code {"seq", "hash"}} or {@code null}.
     *
     * @param v the handle
     * @param outJson receives the head
     * @return an {@code rv_result}
     */
    public static native int rv_vault_log_head(VaultHandle v, PointerByReference outJson);

    /**
     * {@code rv_vault_check_storage(v, out_json)}: SQLite's integrity check.
     *
     * @param v the handle
     * @param outJson receives an array of problems
     * @return an {@code rv_result}
     */
    public static native int rv_vault_check_storage(VaultHandle v, PointerByReference outJson);

    /**
     * {@code rv_vault_verify_contents(v, out_json)}: re-hashes every content.
     *
     * @param v the handle
     * @param outJson receives an array of ids whose content no longer matches
     * @return an {@code rv_result}
     */
    public static native int rv_vault_verify_contents(VaultHandle v, PointerByReference outJson);

    /**
     * {@code rv_vault_storage_summary(v, out_json)}: storage per codec.
     *
     * @param v the handle
     * @param outJson receives an array of {@code {"codec", "contents", "bytes", "stored_bytes"}}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_storage_summary(VaultHandle v, PointerByReference outJson);

    // ---- Signing ----

    /**
     * {@code rv_vault_begin_signing(v, id, chain, chain_len, digest, out_json)}.
     *
     * @param v the handle
     * @param id the result id
     * @param chain the signer's chain, signer first, PEM or DER
     * @param chainLen its length
     * @param digest {@code null} (SHA-256), {@code "SHA-256"}, {@code "SHA-384"} or {@code "SHA-512"}
     * @param outJson receives the session
     * @return an {@code rv_result}
     */
    public static native int rv_vault_begin_signing(VaultHandle v, String id, byte[] chain, SizeT chainLen,
            String digest, PointerByReference outJson);

    /**
     * {@code rv_vault_sign_remote(v, provider, config_json, result_id, options_json, out_json)}: signs
     * through a remote provider. Blocks while it polls.
     *
     * @param v the handle
     * @param provider {@code "csc"}, {@code "vnpt-smartca"} or {@code "viettel-mysign"}
     * @param configJson {@code null} (the environment only) or the provider configuration
     * @param resultId the result id
     * @param optionsJson {@code null} or {@code {"wait_seconds", "poll_interval_ms", "max_poll_interval_ms",
     *     "digest", "description"}}
     * @param outJson receives the stored signature
     * @return an {@code rv_result}
     */
    public static native int rv_vault_sign_remote(VaultHandle v, String provider, String configJson, String resultId,
            String optionsJson, PointerByReference outJson);

    /**
     * {@code rv_vault_resume_remote(v, provider, config_json, session_id, options_json, out_json)}: goes on
     * with a remote signing session. Blocks while it polls.
     *
     * @param v the handle
     * @param provider the provider the session was sent to
     * @param configJson {@code null} or the provider configuration
     * @param sessionId the session id
     * @param optionsJson {@code null} or the options, as {@link #rv_vault_sign_remote}
     * @param outJson receives the stored signature
     * @return an {@code rv_result}
     */
    public static native int rv_vault_resume_remote(VaultHandle v, String provider, String configJson,
            String sessionId, String optionsJson, PointerByReference outJson);

    /**
     * {@code rv_vault_remote_request(v, session_id, out_json)}: a session's provider request, as stored.
     *
     * @param v the handle
     * @param sessionId the session id
     * @param outJson receives the request
     * @return an {@code rv_result} ({@code RV_NOT_FOUND} if the session was not sent to a provider)
     */
    public static native int rv_vault_remote_request(VaultHandle v, String sessionId, PointerByReference outJson);

    /**
     * {@code rv_vault_unfinished_remote_requests(v, out_json)}: the provider requests a restarted portal
     * must resume, oldest first.
     *
     * @param v the handle
     * @param outJson receives an array of requests (empty when none)
     * @return an {@code rv_result}
     */
    public static native int rv_vault_unfinished_remote_requests(VaultHandle v, PointerByReference outJson);

    /**
     * {@code rv_vault_signing_session(v, session_id, out_json)}.
     *
     * @param v the handle
     * @param sessionId the session id
     * @param outJson receives the session
     * @return an {@code rv_result}
     */
    public static native int rv_vault_signing_session(VaultHandle v, String sessionId, PointerByReference outJson);

    /**
     * {@code rv_vault_cancel_signing(v, session_id, out_json)}.
     *
     * @param v the handle
     * @param sessionId the session id
     * @param outJson receives the session after the change
     * @return an {@code rv_result}
     */
    public static native int rv_vault_cancel_signing(VaultHandle v, String sessionId, PointerByReference outJson);

    /**
     * {@code rv_vault_complete_signing_raw(v, session_id, algorithm, value, value_len, out_json)}.
     *
     * @param v the handle
     * @param sessionId the session id
     * @param algorithm {@code "RSA_PKCS1"}, {@code "RSA_PSS"}, {@code "ECDSA"} or {@code "ED25519"}
     * @param value the signature value over the session's signed attributes
     * @param valueLen its length
     * @param outJson receives the stored signature
     * @return an {@code rv_result}
     */
    public static native int rv_vault_complete_signing_raw(VaultHandle v, String sessionId, String algorithm,
            byte[] value, SizeT valueLen, PointerByReference outJson);

    /**
     * {@code rv_vault_complete_signing_cms(v, session_id, cms, cms_len, out_json)}.
     *
     * @param v the handle
     * @param sessionId the session id
     * @param cms a detached CMS over the record's envelope
     * @param cmsLen its length
     * @param outJson receives the stored signature
     * @return an {@code rv_result}
     */
    public static native int rv_vault_complete_signing_cms(VaultHandle v, String sessionId, byte[] cms, SizeT cmsLen,
            PointerByReference outJson);

    /**
     * {@code rv_vault_attach_signature(v, id, cms, cms_len, out_json)}.
     *
     * @param v the handle
     * @param id the result id
     * @param cms a detached CMS over the record's envelope
     * @param cmsLen its length
     * @param outJson receives the stored signature
     * @return an {@code rv_result}
     */
    public static native int rv_vault_attach_signature(VaultHandle v, String id, byte[] cms, SizeT cmsLen,
            PointerByReference outJson);

    /**
     * {@code rv_vault_signatures(v, id, out_json)}.
     *
     * @param v the handle
     * @param id the result id
     * @param outJson receives an array of stored signatures
     * @return an {@code rv_result}
     */
    public static native int rv_vault_signatures(VaultHandle v, String id, PointerByReference outJson);

    /**
     * {@code rv_vault_signature_checks(v, id, out_json)}.
     *
     * @param v the handle
     * @param id the result id
     * @param outJson receives an array of verdicts or nulls
     * @return an {@code rv_result}
     */
    public static native int rv_vault_signature_checks(VaultHandle v, String id, PointerByReference outJson);

    // ---- Trust ----

    /**
     * {@code rv_vault_add_trust_anchor(v, der, der_len, out_json)}.
     *
     * @param v the handle
     * @param der one certificate, DER or PEM
     * @param derLen its length
     * @param outJson receives the stored item
     * @return an {@code rv_result}
     */
    public static native int rv_vault_add_trust_anchor(VaultHandle v, byte[] der, SizeT derLen,
            PointerByReference outJson);

    /**
     * {@code rv_vault_add_intermediate(v, der, der_len, out_json)}.
     *
     * @param v the handle
     * @param der one CA certificate, DER or PEM
     * @param derLen its length
     * @param outJson receives the stored item
     * @return an {@code rv_result}
     */
    public static native int rv_vault_add_intermediate(VaultHandle v, byte[] der, SizeT derLen,
            PointerByReference outJson);

    /**
     * {@code rv_vault_add_crl(v, der, der_len, out_json)}.
     *
     * @param v the handle
     * @param der one CRL, DER or PEM
     * @param derLen its length
     * @param outJson receives the stored item
     * @return an {@code rv_result}
     */
    public static native int rv_vault_add_crl(VaultHandle v, byte[] der, SizeT derLen, PointerByReference outJson);

    /**
     * {@code rv_vault_add_ocsp_response(v, der, der_len, out_json)}.
     *
     * @param v the handle
     * @param der one OCSP response (a DER OCSPResponse, or PEM)
     * @param derLen its length
     * @param outJson receives the stored item
     * @return an {@code rv_result}
     */
    public static native int rv_vault_add_ocsp_response(VaultHandle v, byte[] der, SizeT derLen,
            PointerByReference outJson);

    /**
     * {@code rv_vault_refresh_revocation(v, options_json, out_report_json)}: fetches the CRLs and OCSP
     * responses the trust store's CAs and the stored signers' certificates name. Blocks while it fetches.
     *
     * @param v the handle
     * @param optionsJson {@code null} or {@code {"timeout_secs", "max_crl_bytes", "max_ocsp_bytes"}}
     * @param outReportJson receives the report {@code {"sources": [...]}}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_refresh_revocation(VaultHandle v, String optionsJson,
            PointerByReference outReportJson);

    /**
     * {@code rv_vault_remove_trust_item(v, sha256_hex, bool *out_removed)}.
     *
     * @param v the handle
     * @param sha256Hex the item's SHA-256
     * @param outRemoved {@code null} or receives 0 when there was no such item
     * @return an {@code rv_result}
     */
    public static native int rv_vault_remove_trust_item(VaultHandle v, String sha256Hex, ByteByReference outRemoved);

    /**
     * {@code rv_vault_add_signer_rule(v, agency_code, rule_json, reason, out_json)}.
     *
     * @param v the handle
     * @param agencyCode the agency's e-ID code
     * @param ruleJson the rule
     * @param reason {@code null} or why
     * @param outJson receives the stored rule
     * @return an {@code rv_result}
     */
    public static native int rv_vault_add_signer_rule(VaultHandle v, String agencyCode, String ruleJson,
            String reason, PointerByReference outJson);

    /**
     * {@code rv_vault_remove_signer_rule(v, rule_id_hex, reason, bool *out_removed)}.
     *
     * @param v the handle
     * @param ruleIdHex the rule's id
     * @param reason {@code null} or why
     * @param outRemoved {@code null} or receives 0 when there was no such rule
     * @return an {@code rv_result}
     */
    public static native int rv_vault_remove_signer_rule(VaultHandle v, String ruleIdHex, String reason,
            ByteByReference outRemoved);

    /**
     * {@code rv_vault_signer_rules(v, agency_code, out_json)}.
     *
     * @param v the handle
     * @param agencyCode {@code null} or an agency's e-ID code
     * @param outJson receives an array of rules
     * @return an {@code rv_result}
     */
    public static native int rv_vault_signer_rules(VaultHandle v, String agencyCode, PointerByReference outJson);

    /**
     * {@code rv_vault_trust_items(v, out_json)}.
     *
     * @param v the handle
     * @param outJson receives an array of {@code {"kind", "sha256", "name", "added_at"}}
     * @return an {@code rv_result}
     */
    public static native int rv_vault_trust_items(VaultHandle v, PointerByReference outJson);

    /**
     * {@code rv_vault_trust_material(v, out_json)}.
     *
     * @param v the handle
     * @param outJson receives {@code {"anchors", "intermediates", "crls"}} (hex DER)
     * @return an {@code rv_result}
     */
    public static native int rv_vault_trust_material(VaultHandle v, PointerByReference outJson);

    /**
     * {@code rv_vault_kept_crl(v, sha256_hex, out_bytes, out_len)}.
     *
     * @param v the handle
     * @param sha256Hex the CRL's (or OCSP response's) SHA-256
     * @param outBytes receives a buffer to free with {@link #rv_bytes_free}
     * @param outLen receives its length
     * @return an {@code rv_result}
     */
    public static native int rv_vault_kept_crl(VaultHandle v, String sha256Hex, PointerByReference outBytes,
            SizeTByReference outLen);

    // ---- Verification ----

    /**
     * {@code rv_vault_verify_record(v, id, at, bool *out_reusable, out_json)}.
     *
     * @param v the handle
     * @param id the result id
     * @param at {@code null} (now) or an RFC 3339 time
     * @param outReusable {@code null} or receives the yes/no
     * @param outJson {@code null} (no JSON is encoded) or receives the verdict
     * @return an {@code rv_result}
     */
    public static native int rv_vault_verify_record(VaultHandle v, String id, String at, ByteByReference outReusable,
            PointerByReference outJson);

    /**
     * {@code rv_verify_detached(cms, cms_len, content, content_len, params_json, out_json)}: no vault.
     *
     * @param cms the detached CMS
     * @param cmsLen its length
     * @param content the signed content
     * @param contentLen its length
     * @param paramsJson {@code {"anchors", "intermediates", "crls", ...}}
     * @param outJson receives an array of verdicts
     * @return an {@code rv_result}
     */
    public static native int rv_verify_detached(byte[] cms, SizeT cmsLen, byte[] content, SizeT contentLen,
            String paramsJson, PointerByReference outJson);

    /**
     * {@code rv_verify_pdf(pdf, len, options_json, out_json)}: every signature of a signed PDF, no vault.
     *
     * @param pdf the PDF
     * @param len its length
     * @param optionsJson {@code null} or {@code {"anchors", "intermediates", "crls", "validation_time",
     *     "proof_of_existence"}}
     * @param outJson receives the PDF's verdict
     * @return an {@code rv_result}
     */
    public static native int rv_verify_pdf(byte[] pdf, SizeT len, String optionsJson, PointerByReference outJson);

    /**
     * {@code rv_vault_verify_pdf(v, pdf, len, options_json, out_json)}: as {@link #rv_verify_pdf}, with
     * the vault's trust store.
     *
     * @param v the handle
     * @param pdf the PDF
     * @param len its length
     * @param optionsJson {@code null} or the options, added to the vault's trust material
     * @param outJson receives the PDF's verdict
     * @return an {@code rv_result}
     */
    public static native int rv_vault_verify_pdf(VaultHandle v, byte[] pdf, SizeT len, String optionsJson,
            PointerByReference outJson);

    /**
     * {@code rv_vault_pdf_check(v, id, out_json)}: the check of a stored result's PDF signatures made at
     * ingest, or JSON {@code null} for a result without one.
     *
     * @param v the handle
     * @param id the result id
     * @param outJson receives {@code {"checked_at", "verdict", "problem"}} or {@code null}
     * @return an {@code rv_result} ({@code RV_NOT_FOUND} if there is no such result)
     */
    public static native int rv_vault_pdf_check(VaultHandle v, String id, PointerByReference outJson);
}
