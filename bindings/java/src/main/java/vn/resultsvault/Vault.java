package vn.resultsvault;

import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An open vault: a store of signed administrative results in one file.
 *
 * <pre>{@code
 * try (Vault vault = Vault.open("/var/lib/portal/results.vault")) {
 *     vault.trustStore().addTrustAnchor(rootCaDer);
 *     Json ingested = vault.ingest(meta, pdfBytes);
 *     String id = ingested.get("record").get("result_id").asString();
 *     Json session = vault.signing().beginSigning(id, officerChainPem);
 *     ...
 * }
 * }</pre>
 *
 * <p>The vault itself holds records, content, verification, reuse and the audit log; its trust
 * store is {@link #trustStore()} and its two-phase signing {@link #signing()}, views of the same
 * open vault.
 *
 * <p><b>Answers</b> are {@link Json} values (the raw text is kept: {@link Json#raw()}); JSON
 * arguments are accepted as a {@code String} or as a {@code Map} (written by the binding's own JSON
 * writer). Binary data (content, certificates, CRLs, signatures) crosses as {@code byte[]}.
 *
 * <p><b>Errors</b> are unchecked {@link ResultsVaultException}s, one subclass per family of
 * {@link ResultCode}s.
 *
 * <p><b>Threads:</b> a {@code Vault} may be shared by any number of threads; the library serializes
 * what must be. {@link #close()} may run while other threads call: calls already running finish,
 * later ones throw {@link ClosedException}. The native handle is freed only when the last running
 * call has returned, so a close can never free it under another thread.
 *
 * <p><b>Memory:</b> every string and buffer the library returns is copied into Java and freed at
 * once. The handle is released by {@link #close()}; a vault that is never closed is released by a
 * {@link Cleaner} once it and its {@link #trustStore()} and {@link #signing()} views are all
 * unreachable, but close it yourself (try-with-resources): the file stays open until then.
 */
public final class Vault implements AutoCloseable {
    private final NativeVault nativeVault;
    private final String openedPath;
    private final TrustStore trustStore;
    private final Signing signing;

    private Vault(NativeVault nativeVault, String openedPath) {
        this.nativeVault = nativeVault;
        this.openedPath = openedPath;
        this.trustStore = new TrustStore(nativeVault);
        this.signing = new Signing(nativeVault);
    }

    // ---------------------------------------------------------------- opening and closing

    /**
     * Opens the vault file at {@code path}, creating it if there is none.
     *
     * @param path the file
     * @return the open vault; close it
     * @throws VaultFileException if the file is not a vault, is newer, or is corrupt
     * @throws StorageException if it cannot be read or written
     * @throws LibraryLoadException if the native library cannot be loaded
     */
    public static Vault open(String path) {
        return openWith(path, null);
    }

    /**
     * Opens the vault file at {@code path}, creating it if there is none.
     *
     * @param path the file
     * @return the open vault; close it
     * @see #open(String)
     */
    public static Vault open(Path path) {
        return openWith(Objects.requireNonNull(path, "path").toString(), null);
    }

    /**
     * Opens a vault with options: a JSON object with any of {@code "mode"} ({@code "open_or_create"},
     * the default; {@code "open"}: the file must exist; {@code "create"}: it must not),
     * {@code "actor"} (who the audit log names for ingests), {@code "max_content_size"} (bytes),
     * {@code "busy_timeout_ms"}, {@code "page_size"}, {@code "signing_session_ttl_seconds"},
     * {@code "signature_policy"} (an object: {@code name}, {@code require_signing_certificate_attribute},
     * {@code require_revocation_data}, {@code crl_issued_after_signing},
     * {@code allow_legacy_algorithms}), {@code "cache_verdicts"} (boolean) and {@code "pdf_signatures"}
     * (what ingest does with a PDF's embedded signatures: {@code "record"}, the default: check them and
     * keep the check with the record, see {@link #pdfCheck(String)}; {@code "refuse_failed"}: also
     * refuse a PDF whose signatures are FAILED or that cannot be read as a PDF, with a
     * {@link ContentRefusedException} and nothing stored; {@code "ignore"}: do not look),
     * {@code "timestamp_authority"} (an RFC 3161 TSA that timestamps the vault's own signatures when they
     * complete, B-T/B-LT: an object with {@code url}, optional {@code username}/{@code password} or
     * {@code bearer_token}, {@code policy_oid}, {@code timeout_seconds}, {@code ca_file}; see the C header's rv_vault_open). Options hold
     * for this handle only: give them at every open. Unknown fields, and an unknown {@code "mode"} or
     * {@code "pdf_signatures"} value, are refused.
     *
     * @param path the file
     * @param optionsJson the options as JSON text, or {@code null} for the defaults
     * @return the open vault; close it
     * @throws InvalidArgumentException if the options are not valid ({@link ResultCode#INVALID_JSON}
     *     for an unknown field or value, {@link ResultCode#INVALID_ARGUMENT} for one out of its range)
     * @throws VaultFileException if the mode's condition fails or the file is not a usable vault
     */
    public static Vault open(String path, String optionsJson) {
        return openWith(path, optionsJson);
    }

    /**
     * Opens a vault with options given as a map (see {@link #open(String, String)}).
     *
     * @param path the file
     * @param options the options, or {@code null} for the defaults
     * @return the open vault; close it
     */
    public static Vault open(String path, Map<String, ?> options) {
        return openWith(path, options);
    }

    /**
     * Opens a vault with options given as a map (see {@link #open(String, String)}).
     *
     * @param path the file
     * @param options the options, or {@code null} for the defaults
     * @return the open vault; close it
     */
    public static Vault open(Path path, Map<String, ?> options) {
        return openWith(Objects.requireNonNull(path, "path").toString(), options);
    }

    private static Vault openWith(String path, Object options) {
        NativeLoader.ensureLoaded();
        String p = Ffi.text(path, "path");
        String o = Ffi.json(options, "options_json");
        return new Vault(NativeVault.open(p, o), path);
    }

    /**
     * Closes the vault: {@code rv_vault_close}, then {@code rv_vault_free} once no call runs on
     * another thread. Calls that start later, through the vault or its {@link #trustStore()} and
     * {@link #signing()} views, throw {@link ClosedException}. A second close does nothing.
     */
    @Override
    public void close() {
        nativeVault.close();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return nativeVault.isClosed();
    }

    /**
     * The vault's trust store: the certificates and CRLs its verdicts rely on.
     *
     * @return a view of this vault (always the same one); it throws {@link ClosedException} once the
     *     vault is closed
     */
    public TrustStore trustStore() {
        return trustStore;
    }

    /**
     * The vault's two-phase signing and its stored signatures.
     *
     * @return a view of this vault (always the same one); it throws {@link ClosedException} once the
     *     vault is closed
     */
    public Signing signing() {
        return signing;
    }

    /**
     * The path of the vault's file, as the library holds it.
     *
     * @return the path
     * @throws ClosedException if the vault was closed
     */
    public String path() {
        return nativeVault.use(h -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(RvNative.rv_vault_path(h, out));
            return Ffi.takeString(out);
        });
    }

    // ---------------------------------------------------------------- records

    /**
     * Ingests one result. The metadata is a {@code NewRecord} object: {@code dossier_code},
     * {@code procedure_code}, {@code document_type}, {@code document_number}, {@code issuer}
     * ({@code agency_code}, {@code agency_name}), {@code subject} ({@code kind}, {@code id},
     * {@code name}), {@code issued_at}, {@code valid_from}, {@code valid_until}?,
     * {@code media_type}, {@code file_name}?, {@code provenance} ({@code origin}...), {@code extra}?.
     *
     * @param metaJson the metadata as JSON text
     * @param content the result's bytes (e.g. the PDF)
     * @return {@code {"record": {...}, "created": bool}}; {@code created} is {@code false} when the
     *     same result was already stored and is returned as it was
     * @throws InvalidArgumentException if the metadata is not valid JSON or not acceptable
     * @throws ConflictException if another result holds the same dossier + procedure + document number
     * @throws ContentRefusedException if the content is empty or too large, or, under the open option
     *     {@code "pdf_signatures": "refuse_failed"}, a PDF whose signatures are FAILED or that cannot be
     *     read
     */
    public Json ingest(String metaJson, byte[] content) {
        return ingestWith(metaJson, content);
    }

    /**
     * Ingests one result, its metadata given as a map (see {@link #ingest(String, byte[])}).
     *
     * @param meta the metadata
     * @param content the result's bytes
     * @return {@code {"record": {...}, "created": bool}}
     */
    public Json ingest(Map<String, ?> meta, byte[] content) {
        return ingestWith(meta, content);
    }

    private Json ingestWith(Object meta, byte[] content) {
        String m = Ffi.json(meta, "meta_json");
        byte[] c = Ffi.bytes(content, "content");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_ingest(h, m, c, Ffi.len(c), out));
    }

    /**
     * Ingests several results in one transaction: all are stored or none.
     *
     * @param metasJson a JSON array of metadata objects, one per content
     * @param contents the contents, in the same order
     * @return an array of {@code {"record", "created"}}, in order
     * @throws InvalidArgumentException if the counts differ or a metadata is not acceptable
     */
    public Json ingestBatch(String metasJson, List<byte[]> contents) {
        return ingestBatchWith(metasJson, contents);
    }

    /**
     * Ingests several results in one transaction (see {@link #ingestBatch(String, List)}).
     *
     * @param metas the metadata maps, one per content
     * @param contents the contents, in the same order
     * @return an array of {@code {"record", "created"}}, in order
     */
    public Json ingestBatch(List<? extends Map<String, ?>> metas, List<byte[]> contents) {
        return ingestBatchWith(metas, contents);
    }

    private Json ingestBatchWith(Object metas, List<byte[]> contents) {
        String m = Ffi.json(metas, "metas_json");
        return Ffi.withByteArrays(contents, "contents", (pointers, lens, count) ->
                nativeVault.callJson((h, out) -> RvNative.rv_vault_ingest_batch(h, m, pointers, lens, count, out)));
    }

    /**
     * The record with this id.
     *
     * @param id the result id (a 26-character ULID)
     * @return the record
     * @throws NotFoundException if there is none
     * @throws InvalidArgumentException if the id is not a ULID
     */
    public Json get(String id) {
        String i = Ffi.text(id, "id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_get(h, i, out));
    }

    /**
     * The content of a result, checked against its SHA-256 on the way out.
     *
     * @param id the result id
     * @return a copy of the bytes
     * @throws IntegrityException if the stored bytes no longer match
     * @throws NotFoundException if there is no such result
     */
    public byte[] readContent(String id) {
        String i = Ffi.text(id, "id");
        return nativeVault.callBytes((h, out, len) -> RvNative.rv_vault_read_content(h, i, out, len));
    }

    /**
     * The records whose content has this SHA-256.
     *
     * @param sha256Hex 64 hex digits
     * @return an array of records, empty if none
     */
    public Json findByHash(String sha256Hex) {
        String s = Ffi.text(sha256Hex, "sha256_hex");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_find_by_hash(h, s, out));
    }

    /**
     * The record's canonical envelope (RFC 8785 JSON bytes): what its signatures sign.
     *
     * @param id the result id
     * @return the envelope's bytes
     */
    public byte[] envelope(String id) {
        String i = Ffi.text(id, "id");
        return nativeVault.callBytes((h, out, len) -> RvNative.rv_vault_envelope(h, i, out, len));
    }

    /**
     * The record's audit events, oldest first.
     *
     * @param id the result id
     * @return an array of events
     */
    public Json history(String id) {
        String i = Ffi.text(id, "id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_history(h, i, out));
    }

    /**
     * Revokes a result.
     *
     * @param id the result id
     * @param changeJson {@code {"reason", "decision_ref", "at" (RFC 3339), "by"}}
     * @return the record after the change
     * @throws InvalidTransitionException if the result is not active
     */
    public Json revoke(String id, String changeJson) {
        return revokeWith(id, changeJson);
    }

    /**
     * Revokes a result (see {@link #revoke(String, String)}).
     *
     * @param id the result id
     * @param change {@code reason}, {@code decision_ref}, {@code at}, {@code by}
     * @return the record after the change
     */
    public Json revoke(String id, Map<String, ?> change) {
        return revokeWith(id, change);
    }

    private Json revokeWith(String id, Object change) {
        String i = Ffi.text(id, "id");
        String c = Ffi.json(change, "change_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_revoke(h, i, c, out));
    }

    /**
     * Marks {@code oldId} as superseded by {@code newId} (both stored).
     *
     * @param oldId the replaced result
     * @param newId its replacement
     * @param changeJson as for {@link #revoke(String, String)}
     * @return the old record after the change
     */
    public Json supersede(String oldId, String newId, String changeJson) {
        return supersedeWith(oldId, newId, changeJson);
    }

    /**
     * Marks {@code oldId} as superseded by {@code newId} (see {@link #supersede(String, String, String)}).
     *
     * @param oldId the replaced result
     * @param newId its replacement
     * @param change {@code reason}, {@code decision_ref}, {@code at}, {@code by}
     * @return the old record after the change
     */
    public Json supersede(String oldId, String newId, Map<String, ?> change) {
        return supersedeWith(oldId, newId, change);
    }

    private Json supersedeWith(String oldId, String newId, Object change) {
        String o = Ffi.text(oldId, "old_id");
        String n = Ffi.text(newId, "new_id");
        String c = Ffi.json(change, "change_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_supersede(h, o, n, c, out));
    }

    /**
     * A reuse request: the subject's results of one type that are in force, intact and signed with
     * every signature PASSED at the query's time. One reuse event is recorded for each result handed
     * out.
     *
     * @param queryJson {@code {"subject_kind", "subject_id", "document_type", "at"}}
     * @param requesterJson {@code {"agency_code", "procedure_code", "dossier_code", "purpose"}}, all required
     * @return {@code {"results": [...], "verdicts": [...], "excluded": [{"result_id", "reason", ...}]}}
     * @throws ReuseRefusedException if the requester is incomplete
     */
    public Json findReusable(String queryJson, String requesterJson) {
        return findReusableWith(queryJson, requesterJson);
    }

    /**
     * A reuse request with maps (see {@link #findReusable(String, String)}).
     *
     * @param query the query
     * @param requester the requester
     * @return {@code {"results", "verdicts", "excluded"}}
     */
    public Json findReusable(Map<String, ?> query, Map<String, ?> requester) {
        return findReusableWith(query, requester);
    }

    private Json findReusableWith(Object query, Object requester) {
        String q = Ffi.json(query, "query_json");
        String r = Ffi.json(requester, "requester_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_find_reusable(h, q, r, null, out));
    }

    /**
     * A reuse request that returns only how many results were handed out: no JSON is encoded or
     * parsed. The reuse events are recorded as by {@link #findReusable(String, String)}.
     *
     * @param queryJson the query
     * @param requesterJson the requester
     * @return the number of results handed out
     */
    public long countReusable(String queryJson, String requesterJson) {
        return countReusableWith(queryJson, requesterJson);
    }

    /**
     * A reuse request that returns only a count (see {@link #countReusable(String, String)}).
     *
     * @param query the query
     * @param requester the requester
     * @return the number of results handed out
     */
    public long countReusable(Map<String, ?> query, Map<String, ?> requester) {
        return countReusableWith(query, requester);
    }

    private long countReusableWith(Object query, Object requester) {
        String q = Ffi.json(query, "query_json");
        String r = Ffi.json(requester, "requester_json");
        return nativeVault.use(h -> {
            SizeTByReference count = new SizeTByReference();
            Ffi.check(RvNative.rv_vault_find_reusable(h, q, r, count, null));
            return count.getValue();
        });
    }

    /**
     * Statistics per agency over {@code [from, to)}.
     *
     * @param from an RFC 3339 time
     * @param to an RFC 3339 time
     * @return an array of {@code {"agency_code", "results_ingested", "dossiers", "dossiers_with_reuse",
     *     "reuse_rate", "reuses_made", "dossiers_reusing", "results_reused"}}
     */
    public Json stats(String from, String to) {
        String f = Ffi.text(from, "from");
        String t = Ffi.text(to, "to");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_stats(h, f, t, out));
    }

    /**
     * Statistics per agency over {@code [from, to)}.
     *
     * @param from the start
     * @param to the end (excluded)
     * @return as {@link #stats(String, String)}
     */
    public Json stats(Instant from, Instant to) {
        return stats(from.toString(), to.toString());
    }

    // ---------------------------------------------------------------- audit log and storage

    /**
     * Checks the audit log: the hash chain, every record against its last event, every reuse
     * against its event. A damaged log is a report, not an exception.
     *
     * @return {@code {"events", "records", "reuses", "head", "problems", "problem_count"}}
     */
    public Json verifyLog() {
        return verifyLogWith(null);
    }

    /**
     * Checks the audit log, and that it still holds a head kept outside the vault.
     *
     * @param headJson {@code {"seq", "hash"}} as {@link #logHead()} gave it, or {@code null}
     * @return the report, as {@link #verifyLog()}
     */
    public Json verifyLog(String headJson) {
        return verifyLogWith(headJson);
    }

    /**
     * Checks the audit log against a head (see {@link #verifyLog(String)}).
     *
     * @param head the head as {@link #logHead()} returned it, or {@code null}
     * @return the report
     */
    public Json verifyLog(Json head) {
        return verifyLogWith(head == null || head.isNull() ? null : head);
    }

    /**
     * Checks the audit log, optionally against a head, and without re-hashing the stored
     * contents when {@code skipContents} (the slow part of the audit).
     *
     * @param head the head as {@link #logHead()} returned it, or {@code null}
     * @param skipContents {@code true} not to re-hash every stored content
     * @return the report, as {@link #verifyLog()}; its {@code contents} counts the contents re-hashed
     */
    public Json verifyLog(Json head, boolean skipContents) {
        java.util.Map<String, Object> options = new java.util.LinkedHashMap<>();
        options.put("skip_contents", skipContents);
        if (head != null && !head.isNull()) {
            options.put("against", head);
        }
        String opts = Ffi.json(options, "options_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_verify_log_with(h, opts, null, out));
    }

    private Json verifyLogWith(Object head) {
        String hd = Ffi.json(head, "head_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_verify_log(h, hd, null, out));
    }

    /**
     * Whether the audit log is intact, without encoding a report.
     *
     * @return {@code true} when nothing was found wrong
     */
    public boolean isLogIntact() {
        return isLogIntactWith(null);
    }

    /**
     * Whether the audit log is intact and still holds this head, without encoding a report.
     *
     * @param head the head as {@link #logHead()} returned it, or {@code null}
     * @return {@code true} when nothing was found wrong
     */
    public boolean isLogIntact(Json head) {
        return isLogIntactWith(head == null || head.isNull() ? null : head);
    }

    private boolean isLogIntactWith(Object head) {
        String hd = Ffi.json(head, "head_json");
        return nativeVault.use(h -> {
            ByteByReference intact = new ByteByReference();
            Ffi.check(RvNative.rv_vault_verify_log(h, hd, intact, null));
            return intact.getValue() != 0;
        });
    }

    /**
     * The newest audit event, to keep outside the vault and detect a rewritten log later.
     *
     * @return {@code {"seq", "hash"}}, or JSON {@code null} for an empty log
     */
    public Json logHead() {
        return nativeVault.callJson(RvNative::rv_vault_log_head);
    }

    /**
     * SQLite's own integrity check of the file.
     *
     * @return an array of problems, empty when sound
     */
    public Json checkStorage() {
        return nativeVault.callJson(RvNative::rv_vault_check_storage);
    }

    /**
     * Re-hashes every stored content.
     *
     * @return an array of the ids whose content no longer matches, empty when all do
     */
    public Json verifyContents() {
        return nativeVault.callJson(RvNative::rv_vault_verify_contents);
    }

    /**
     * How content is stored, per codec.
     *
     * @return an array of {@code {"codec", "contents", "bytes", "stored_bytes"}}
     */
    public Json storageSummary() {
        return nativeVault.callJson(RvNative::rv_vault_storage_summary);
    }

    // ---------------------------------------------------------------- verification

    /**
     * A record's verdict now (see {@link #verifyRecord(String, String)}).
     *
     * @param id the result id
     * @return the verdict
     */
    public Json verifyRecord(String id) {
        return verifyRecord(id, (String) null);
    }

    /**
     * A record's verdict at time {@code at}: integrity, legal status, every signature's verdict
     * (ETSI EN 319 102-1 indications) and whether it may be handed out for reuse. Nothing about the
     * record changes.
     *
     * @param id the result id
     * @param at an RFC 3339 time, or {@code null} for now
     * @return {@code result_id}, {@code reusable}, {@code reasons}, {@code summary},
     *     {@code integrity}, {@code status}, {@code signatures}, {@code validation_time},
     *     {@code trust_state}, {@code verifier}
     */
    public Json verifyRecord(String id, String at) {
        String i = Ffi.text(id, "id");
        String t = Ffi.text(at, "at");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_verify_record(h, i, t, null, out));
    }

    /**
     * A record's verdict at an instant (see {@link #verifyRecord(String, String)}).
     *
     * @param id the result id
     * @param at the time
     * @return the verdict
     */
    public Json verifyRecord(String id, Instant at) {
        return verifyRecord(id, at == null ? null : at.toString());
    }

    /**
     * Whether a record may be handed out for reuse now, without encoding the verdict as JSON.
     *
     * @param id the result id
     * @return the verdict's {@code reusable}
     */
    public boolean isReusable(String id) {
        return isReusable(id, (String) null);
    }

    /**
     * Whether a record may be handed out for reuse at {@code at}, without encoding the verdict.
     *
     * @param id the result id
     * @param at an RFC 3339 time, or {@code null} for now
     * @return the verdict's {@code reusable}
     */
    public boolean isReusable(String id, String at) {
        String i = Ffi.text(id, "id");
        String t = Ffi.text(at, "at");
        return nativeVault.use(h -> {
            ByteByReference reusable = new ByteByReference();
            Ffi.check(RvNative.rv_vault_verify_record(h, i, t, reusable, null));
            return reusable.getValue() != 0;
        });
    }

    /**
     * Whether a record may be handed out for reuse at an instant.
     *
     * @param id the result id
     * @param at the time
     * @return the verdict's {@code reusable}
     */
    public boolean isReusable(String id, Instant at) {
        return isReusable(id, at == null ? null : at.toString());
    }

    /**
     * Verifies every signature of a signed PDF against the vault's trust store now (see
     * {@link #verifyPdf(byte[], String)}).
     *
     * @param pdf the PDF's bytes
     * @return the PDF's verdict
     * @throws PdfUnreadableException if the bytes cannot be read as a PDF
     */
    public Json verifyPdf(byte[] pdf) {
        return verifyPdfWith(pdf, null);
    }

    /**
     * Verifies every signature and document timestamp of a signed PDF (PAdES) against the vault's
     * trust store (its anchors, intermediates and CRLs). The PDF is not stored and nothing in the vault
     * changes. The answer is {@link Verifier#verifyPdf(byte[], String)}'s.
     *
     * @param pdf the PDF's bytes
     * @param optionsJson {@code null} or the options of {@link Verifier#verifyPdf(byte[], String)}:
     *     {@code "validation_time"}, {@code "proof_of_existence"}, and {@code "anchors"},
     *     {@code "intermediates"}, {@code "crls"} added to the vault's (e.g. a CRL fetched since)
     * @return the PDF's verdict: {@code revisions}, {@code indication}, {@code sub_indication},
     *     {@code signatures}
     * @throws PdfUnreadableException if the bytes cannot be read as a PDF
     * @throws InvalidArgumentException if the options are not valid
     */
    public Json verifyPdf(byte[] pdf, String optionsJson) {
        return verifyPdfWith(pdf, optionsJson);
    }

    /**
     * Verifies every signature of a signed PDF against the vault's trust store, the options given as a
     * map (see {@link #verifyPdf(byte[], String)}).
     *
     * @param pdf the PDF's bytes
     * @param options the options
     * @return the PDF's verdict
     */
    public Json verifyPdf(byte[] pdf, Map<String, ?> options) {
        return verifyPdfWith(pdf, options);
    }

    private Json verifyPdfWith(byte[] pdf, Object options) {
        byte[] p = Ffi.bytes(pdf, "pdf");
        String o = Ffi.json(options, "options_json");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_verify_pdf(h, p, Ffi.len(p), o, out));
    }

    /**
     * The check of a stored result's embedded PDF signatures, made when it was ingested against the
     * trust store as it stood then ({@code rv_vault_pdf_check}). It is read, not made again:
     * {@link #verifyPdf(byte[])} over {@link #readContent(String)} verifies the PDF now.
     *
     * @param id the result id
     * @return {@code {"checked_at", "verdict", "problem"}}: {@code verdict} as {@link #verifyPdf(byte[])}
     *     returns it, JSON {@code null} when the file could not be read as a PDF ({@code problem} says
     *     why); or JSON {@code null} ({@link Json#isNull()}) for a result that was not checked (not a
     *     PDF, ingested under {@code "pdf_signatures": "ignore"} or before the vault checked PDFs)
     * @throws NotFoundException if there is no such result
     * @throws InvalidArgumentException if the id is not a ULID
     */
    public Json pdfCheck(String id) {
        String i = Ffi.text(id, "id");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_pdf_check(h, i, out));
    }

    /**
     * Adds a signer rule for an agency ({@code rv_vault_add_signer_rule}): who may sign its results. A PDF
     * signed inside by the issuing agency counts for reuse when its signer is accepted by the agency's
     * rules; an agency with no rule accepts any trusted signer (and every verdict that relied on that
     * default says so in {@code signer_policy}). Each change is an audit event. Adding the same rule again
     * returns the stored one.
     *
     * @param agencyCode the issuing agency's e-ID code (records' {@code agency_code})
     * @param rule {@code {"kind": "certificate", "sha256": HEX}} (the signer certificate, as a verdict's
     *     {@code signer.sha256}), {@code {"kind": "issuer_organization", "issuer": DN, "organization": O}}
     *     or {@code {"kind": "under_ca", "sha256": HEX}} (any certificate whose chain goes through that CA)
     * @param reason {@code null} or why, kept in the audit event
     * @return the stored rule {@code {"rule_id", "agency_code", "rule", "added_at", "reason"}}
     * @throws InvalidArgumentException if the rule is not one ({@code RV_INVALID_JSON}) or a text is empty,
     *     too long or holds a control character ({@code RV_INVALID_ARGUMENT}); nothing is changed then
     */
    public Json addSignerRule(String agencyCode, Map<String, ?> rule, String reason) {
        String a = Ffi.text(agencyCode, "agency_code");
        String r = Ffi.json(rule, "rule_json");
        String why = Ffi.text(reason, "reason");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_add_signer_rule(h, a, r, why, out));
    }

    /**
     * Removes a signer rule by its id ({@code rv_vault_remove_signer_rule}); an audit event.
     *
     * @param ruleIdHex the rule's {@code rule_id} (64 hex digits)
     * @param reason {@code null} or why, kept in the audit event
     * @return {@code false} when there was no such rule
     */
    public boolean removeSignerRule(String ruleIdHex, String reason) {
        String id = Ffi.text(ruleIdHex, "rule_id_hex");
        String why = Ffi.text(reason, "reason");
        return nativeVault.use(h -> {
            ByteByReference removed = new ByteByReference();
            Ffi.check(RvNative.rv_vault_remove_signer_rule(h, id, why, removed));
            return removed.getValue() != 0;
        });
    }

    /**
     * The signer rules, oldest first ({@code rv_vault_signer_rules}): all ({@code agencyCode} null) or
     * one agency's. An empty array for an agency means the default: any trusted signer.
     *
     * @param agencyCode {@code null} or an agency's e-ID code
     * @return an array of {@code {"rule_id", "agency_code", "rule", "added_at", "reason"}}
     */
    public Json signerRules(String agencyCode) {
        String a = Ffi.text(agencyCode, "agency_code");
        return nativeVault.callJson((h, out) -> RvNative.rv_vault_signer_rules(h, a, out));
    }

    @Override
    public String toString() {
        return "Vault[" + openedPath + (nativeVault.isClosed() ? ", closed]" : "]");
    }
}
