<?php

declare(strict_types=1);

namespace ResultsVault;

use FFI;
use FFI\CData;
use ResultsVault\Exception\ClosedException;
use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Exception\ResultsVaultException;

/**
 * An open vault file: the signed administrative results of a portal, their signatures,
 * the trust store they are verified against, and the audit log.
 *
 * A thin, faithful wrapper over the C ABI (`rv_vault_*`): one method per C function.
 * Records, queries, verdicts and reports cross as JSON and come back as associative
 * arrays (the same shapes as results_vault.h documents: binary fields in lowercase
 * hex); contents, certificates, CRLs and signatures are PHP byte strings.
 *
 * Every failure is an exception: a subclass of {@see ResultsVaultException} for each
 * family of `rv_result` codes. Every native string and buffer is copied into PHP and
 * freed before the method returns; the native handle is released when the object is
 * destroyed (or at {@see close()}, for the file).
 *
 * Time arguments take a {@see \DateTimeInterface} or an RFC 3339 string.
 */
final class Vault
{
    /** The native `rv_vault *`; null once freed. */
    private ?CData $handle;

    private bool $closed = false;

    private function __construct(private readonly Library $lib, CData $handle)
    {
        $this->handle = $handle;
    }

    /**
     * Opens (by default: or creates) the vault file at `$path`.
     *
     * `$options` may hold: `mode` (`"open_or_create"`, the default; `"open"`: the file
     * must exist; `"create"`: it must not), `actor` (who the audit log names for
     * ingests), `max_content_size` (bytes), `busy_timeout_ms`, `page_size`,
     * `signing_session_ttl_seconds`, `signature_policy` (an array: `name`,
     * `require_signing_certificate_attribute`, `require_revocation_data`,
     * `crl_issued_after_signing`, `allow_legacy_algorithms`), `cache_verdicts` (bool),
     * `pdf_signatures` (what ingest does with a PDF's embedded signatures: `"record"`, the
     * default: check them and keep the check with the record, see {@see pdfCheck()};
     * `"refuse_failed"`: also refuse a PDF whose signatures are FAILED or that cannot be
     * read as a PDF, with a {@see Exception\ContentRefusedException} and nothing stored;
     * `"ignore"`: do not look), `timestamp_authority` (an RFC 3161 TSA that timestamps the
     * vault's own signatures when they complete, B-T/B-LT: an array with `url`, optional
     * `username`/`password` or `bearer_token`, `policy_oid`, `timeout_seconds`, `ca_file`; see the C
     * header's rv_vault_open). Options hold for this handle only: give them at every open.
     * Unknown options, and an unknown `mode` or `pdf_signatures` value, are refused.
     *
     * @param string              $path    the file's path (UTF-8)
     * @param array<string, mixed>|object $options see above; empty: the defaults
     * @param Library|null        $library the library to use; null: {@see Library::instance()}
     *
     * @throws Exception\FileException            the file is missing (mode open), already there
     *                                            (mode create), not a vault, newer, or corrupt
     * @throws Exception\InvalidArgumentException an option is unknown, of the wrong type or out of its
     *                                            range (`RV_INVALID_JSON` for an unknown
     *                                            `pdf_signatures` value)
     * @throws Exception\StorageException         I/O or SQLite failed
     * @throws Exception\LibraryException         the library could not be loaded
     */
    public static function open(string $path, array|object $options = [], ?Library $library = null): self
    {
        $lib = $library ?? Library::instance();
        $fn = 'rv_vault_open';
        $optionsJson = $options === [] ? null : $lib->encode($options, 'options', $fn);
        $handle = $lib->ffi()->new('rv_vault*');
        $lib->call($fn, $lib->text($path, 'path', $fn), $optionsJson, FFI::addr($handle));
        return new self($lib, $handle);
    }

    /**
     * Releases the native handle (closing the vault first if it is open).
     */
    public function __destruct()
    {
        if ($this->handle !== null) {
            $this->lib->ffi()->rv_vault_free($this->handle);
            $this->handle = null;
        }
    }

    /**
     * Closes the vault: its file is released (once calls running on other threads
     * return). Every later call throws {@see ClosedException}; closing again does
     * nothing. The object itself is released by the garbage collector.
     *
     * @throws ResultsVaultException if the library fails to close it
     */
    public function close(): void
    {
        if ($this->closed) {
            return;
        }
        $this->lib->call('rv_vault_close', $this->handle());
        $this->closed = true;
    }

    /**
     * Whether {@see close()} was called.
     */
    public function isClosed(): bool
    {
        return $this->closed;
    }

    /**
     * The library this vault was opened with.
     */
    public function library(): Library
    {
        return $this->lib;
    }

    /**
     * The path of the vault's file, as given to {@see open()} (`rv_vault_path`).
     *
     * @throws ClosedException after {@see close()}
     */
    public function path(): string
    {
        return $this->lib->callString('rv_vault_path', $this->handle());
    }

    // ---- Records ----

    /**
     * Ingests one result: its metadata and its content (`rv_vault_ingest`).
     *
     * `$meta` holds dossier_code, procedure_code, document_type, document_number,
     * issuer {agency_code, agency_name}, subject {kind, id, name}, issued_at,
     * valid_from, valid_until?, media_type, file_name?, provenance {origin}, extra?.
     *
     * @param array<string, mixed>|object $meta    the record's metadata
     * @param string                      $content the document's bytes (binary-safe)
     * @return array{record: array<string, mixed>, created: bool} `created` is false when the same
     *                                                           result was already stored
     *
     * @throws Exception\InvalidArgumentException bad JSON shape or field values
     * @throws Exception\ContentRefusedException  empty or too large content; under the open option
     *                                            `'pdf_signatures' => 'refuse_failed'`, a PDF whose
     *                                            signatures are FAILED or that cannot be read
     * @throws Exception\ConflictException        another result holds this dossier + procedure + number
     */
    public function ingest(array|object $meta, string $content): array
    {
        $fn = 'rv_vault_ingest';
        $buffer = $this->lib->bytes($content);
        return $this->lib->callJson($fn, $this->handle(), $this->lib->encode($meta, 'meta', $fn), $buffer, strlen($content));
    }

    /**
     * Ingests several results in one transaction: all are stored or none
     * (`rv_vault_ingest_batch`).
     *
     * @param list<array<string, mixed>|object> $metas    the metadata of each, as {@see ingest()}
     * @param list<string>                      $contents the content of each, in the same order
     * @return list<array{record: array<string, mixed>, created: bool}> in order
     *
     * @throws Exception\InvalidArgumentException the lists differ in length, or as {@see ingest()}
     * @throws Exception\ContentRefusedException  as {@see ingest()}
     * @throws Exception\ConflictException        as {@see ingest()}
     */
    public function ingestBatch(array $metas, array $contents): array
    {
        $fn = 'rv_vault_ingest_batch';
        $metas = array_values($metas);
        $contents = array_values($contents);
        $count = count($metas);
        if (count($contents) !== $count) {
            throw new InvalidArgumentException(
                "{$fn}: {$count} metadata objects but " . count($contents) . ' contents',
                ResultCode::InvalidArgument->value,
                null,
                $fn,
            );
        }
        $metasJson = $this->lib->encode($metas, 'metas', $fn);
        if ($count === 0) {
            return $this->lib->callJson($fn, $this->handle(), $metasJson, null, null, 0);
        }
        $ffi = $this->lib->ffi();
        $pointers = $ffi->new("uint8_t*[$count]");
        $lengths = $ffi->new("size_t[$count]");
        $buffers = []; // keeps every copy alive until the call returns
        foreach ($contents as $i => $content) {
            if (!is_string($content)) {
                throw new InvalidArgumentException(
                    "{$fn}: contents[{$i}] is not a string",
                    ResultCode::InvalidArgument->value,
                    null,
                    $fn,
                );
            }
            $buffer = $this->lib->bytes($content);
            $buffers[$i] = $buffer;
            $pointers[$i] = $buffer === null ? null : FFI::addr($buffer[0]);
            $lengths[$i] = strlen($content);
        }
        try {
            return $this->lib->callJson($fn, $this->handle(), $metasJson, $pointers, $lengths, $count);
        } finally {
            unset($buffers);
        }
    }

    /**
     * The record with this id (`rv_vault_get`).
     *
     * @param string $id a 26-character ULID
     * @return array<string, mixed> the record
     *
     * @throws Exception\NotFoundException        no such record
     * @throws Exception\InvalidArgumentException not a valid id
     */
    public function get(string $id): array
    {
        return $this->lib->callJson('rv_vault_get', $this->handle(), $this->text($id, 'id', 'rv_vault_get'));
    }

    /**
     * The content of a result, checked against its SHA-256 on the way out
     * (`rv_vault_read_content`).
     *
     * @return string the bytes, exactly as ingested
     *
     * @throws Exception\NotFoundException  no such record
     * @throws Exception\IntegrityException the stored content no longer matches its SHA-256
     */
    public function readContent(string $id): string
    {
        $fn = 'rv_vault_read_content';
        return $this->lib->callBytes($fn, $this->handle(), $this->text($id, 'id', $fn));
    }

    /**
     * The records whose content has this SHA-256 (`rv_vault_find_by_hash`).
     *
     * @param string $sha256Hex 64 hex digits
     * @return list<array<string, mixed>> the records, empty if none
     */
    public function findByHash(string $sha256Hex): array
    {
        $fn = 'rv_vault_find_by_hash';
        return $this->lib->callJson($fn, $this->handle(), $this->text($sha256Hex, 'sha256_hex', $fn));
    }

    /**
     * The record's canonical envelope (RFC 8785 JSON bytes): what its signatures sign
     * (`rv_vault_envelope`). Give it to a provider that signs whole documents, or to
     * `openssl cms -sign` before {@see attachSignature()}.
     *
     * @return string the envelope's bytes
     */
    public function envelope(string $id): string
    {
        $fn = 'rv_vault_envelope';
        return $this->lib->callBytes($fn, $this->handle(), $this->text($id, 'id', $fn));
    }

    /**
     * The record's audit events, oldest first (`rv_vault_history`).
     *
     * @return list<array<string, mixed>>
     */
    public function history(string $id): array
    {
        return $this->lib->callJson('rv_vault_history', $this->handle(), $this->text($id, 'id', 'rv_vault_history'));
    }

    /**
     * Revokes a result (`rv_vault_revoke`).
     *
     * @param array{reason: string, decision_ref: string, at: string, by: string}|object $change
     *        `at` is an RFC 3339 time
     * @return array<string, mixed> the record after the change
     *
     * @throws Exception\InvalidTransitionException the result is not active
     */
    public function revoke(string $id, array|object $change): array
    {
        $fn = 'rv_vault_revoke';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text($id, 'id', $fn),
            $this->lib->encode($change, 'change', $fn),
        );
    }

    /**
     * Marks `$oldId` as superseded by `$newId`, both stored (`rv_vault_supersede`).
     *
     * @param array{reason: string, decision_ref: string, at: string, by: string}|object $change as {@see revoke()}
     * @return array<string, mixed> the old record after the change
     *
     * @throws Exception\InvalidTransitionException the old result is not active
     */
    public function supersede(string $oldId, string $newId, array|object $change): array
    {
        $fn = 'rv_vault_supersede';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text($oldId, 'old_id', $fn),
            $this->text($newId, 'new_id', $fn),
            $this->lib->encode($change, 'change', $fn),
        );
    }

    // ---- Reuse ----

    /**
     * A reuse request (`rv_vault_find_reusable`): the subject's results of one type that
     * are in force, intact, and signed with every signature PASSED at the query's time.
     * One reuse event is recorded in the audit log for each result handed out.
     *
     * @param array{subject_kind: string, subject_id: string, document_type: string, at: string}|object $query
     * @param array{agency_code: string, procedure_code: string, dossier_code: string, purpose: string}|object $requester
     *        all four fields are required
     * @return array{results: list<array<string, mixed>>, verdicts: list<array<string, mixed>>, excluded: list<array<string, mixed>>}
     *
     * @throws Exception\ReuseRefusedException the requester is incomplete
     */
    public function findReusable(array|object $query, array|object $requester): array
    {
        $fn = 'rv_vault_find_reusable';
        $out = $this->lib->ffi()->new('char*');
        $this->lib->call(
            $fn,
            $this->handle(),
            $this->lib->encode($query, 'query', $fn),
            $this->lib->encode($requester, 'requester', $fn),
            null,
            FFI::addr($out),
        );
        return $this->lib->decode($this->lib->takeString($out), $fn);
    }

    /**
     * The same reuse request as {@see findReusable()}, answering only how many results
     * were handed out: no JSON is encoded or decoded. It is a reuse all the same: one
     * reuse event is recorded for each result counted.
     *
     * @param array<string, mixed>|object $query     as {@see findReusable()}
     * @param array<string, mixed>|object $requester as {@see findReusable()}
     * @return int the number of results handed out
     *
     * @throws Exception\ReuseRefusedException the requester is incomplete
     */
    public function countReusable(array|object $query, array|object $requester): int
    {
        $fn = 'rv_vault_find_reusable';
        $count = $this->lib->ffi()->new('size_t');
        $this->lib->call(
            $fn,
            $this->handle(),
            $this->lib->encode($query, 'query', $fn),
            $this->lib->encode($requester, 'requester', $fn),
            FFI::addr($count),
            null,
        );
        return (int) $count->cdata;
    }

    /**
     * Statistics per agency over `[$from, $to)` (`rv_vault_stats`).
     *
     * @return list<array{agency_code: string, results_ingested: int, dossiers: int, dossiers_with_reuse: int,
     *         reuse_rate: float|int, reuses_made: int, dossiers_reusing: int, results_reused: int}>
     */
    public function stats(\DateTimeInterface|string $from, \DateTimeInterface|string $to): array
    {
        $fn = 'rv_vault_stats';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text(Library::time($from), 'from', $fn),
            $this->text(Library::time($to), 'to', $fn),
        );
    }

    // ---- Audit log and storage ----

    /**
     * Checks the audit log (`rv_vault_verify_log_with`): the hash chain, every record,
     * signature, trust item, PDF check and reuse against the event that binds it, and every
     * stored content re-hashed; with `$head` (from {@see logHead()}, kept outside the
     * vault) also that the log still holds it. `$skipContents` skips the re-hashing (the
     * slow part). A damaged log is a report, not an exception.
     *
     * @param array{seq: int, hash: string}|object|null $head a head from logHead(); null: none
     * @return array{events: int, records: int, reuses: int, contents: int, head: mixed, problems: list<mixed>, problem_count: int}
     */
    public function verifyLog(array|object|null $head = null, bool $skipContents = false): array
    {
        $fn = 'rv_vault_verify_log_with';
        $options = ['skip_contents' => $skipContents];
        if ($head !== null) {
            $options['against'] = $head;
        }
        $out = $this->lib->ffi()->new('char*');
        $this->lib->call(
            $fn,
            $this->handle(),
            $this->lib->encode($options, 'options', $fn),
            null,
            FFI::addr($out),
        );
        return $this->lib->decode($this->lib->takeString($out), $fn);
    }

    /**
     * Whether the audit log is intact, as {@see verifyLog()} judges it, without the
     * report (no JSON is encoded).
     *
     * @param array{seq: int, hash: string}|object|null $head a head from logHead(); null: none
     */
    public function isLogIntact(array|object|null $head = null): bool
    {
        $fn = 'rv_vault_verify_log';
        $intact = $this->lib->ffi()->new('bool');
        $this->lib->call(
            $fn,
            $this->handle(),
            $head === null ? null : $this->lib->encode($head, 'head', $fn),
            FFI::addr($intact),
            null,
        );
        return (bool) $intact->cdata;
    }

    /**
     * The newest audit event, `{seq, hash}`, or null for an empty log
     * (`rv_vault_log_head`). Keep it outside the vault to detect a rewritten log later.
     *
     * @return array{seq: int, hash: string}|null
     */
    public function logHead(): ?array
    {
        return $this->lib->callJson('rv_vault_log_head', $this->handle());
    }

    /**
     * SQLite's own integrity check of the file (`rv_vault_check_storage`).
     *
     * @return list<mixed> the problems, empty when sound
     */
    public function checkStorage(): array
    {
        return $this->lib->callJson('rv_vault_check_storage', $this->handle());
    }

    /**
     * Re-hashes every stored content (`rv_vault_verify_contents`).
     *
     * @return list<string> the ids whose content no longer matches its SHA-256, empty when all do
     */
    public function verifyContents(): array
    {
        return $this->lib->callJson('rv_vault_verify_contents', $this->handle());
    }

    /**
     * How content is stored, per codec (`rv_vault_storage_summary`).
     *
     * @return list<array{codec: string, contents: int, bytes: int, stored_bytes: int}>
     */
    public function storageSummary(): array
    {
        return $this->lib->callJson('rv_vault_storage_summary', $this->handle());
    }

    use TrustStore;
    use SignerPolicy;
    use Signing;

    // ---- Verification ----

    /**
     * A record's verdict at a time (`rv_vault_verify_record`): integrity, legal status,
     * every signature's verdict (ETSI EN 319 102-1 indications), and whether it may be
     * handed out for reuse. Nothing about the record changes.
     *
     * @param \DateTimeInterface|string|null $at the validation time; null: now
     * @return array<string, mixed> result_id, reusable, reasons, summary, integrity, status,
     *         signatures, validation_time, trust_state, verifier
     *
     * @throws Exception\NotFoundException no such record
     */
    public function verifyRecord(string $id, \DateTimeInterface|string|null $at = null): array
    {
        $fn = 'rv_vault_verify_record';
        $out = $this->lib->ffi()->new('char*');
        $this->lib->call(
            $fn,
            $this->handle(),
            $this->text($id, 'id', $fn),
            $at === null ? null : $this->text(Library::time($at), 'at', $fn),
            null,
            FFI::addr($out),
        );
        return $this->lib->decode($this->lib->takeString($out), $fn);
    }

    /**
     * Whether a record may be handed out for reuse at a time, as {@see verifyRecord()}
     * judges it, without the verdict (no JSON is encoded): the cheap check.
     *
     * @param \DateTimeInterface|string|null $at the validation time; null: now
     *
     * @throws Exception\NotFoundException no such record
     */
    public function isReusable(string $id, \DateTimeInterface|string|null $at = null): bool
    {
        $fn = 'rv_vault_verify_record';
        $reusable = $this->lib->ffi()->new('bool');
        $this->lib->call(
            $fn,
            $this->handle(),
            $this->text($id, 'id', $fn),
            $at === null ? null : $this->text(Library::time($at), 'at', $fn),
            FFI::addr($reusable),
            null,
        );
        return (bool) $reusable->cdata;
    }

    /**
     * Verifies every signature of a signed PDF against the vault's trust store (its
     * anchors, intermediates and CRLs; `rv_vault_verify_pdf`). The PDF is not stored and
     * nothing in the vault changes.
     *
     * `$options` as for {@see Verifier::verifyPdf()}: `validation_time`,
     * `proof_of_existence`, and `anchors`, `intermediates`, `crls` added to the vault's
     * (e.g. a CRL fetched since). The answer is {@see Verifier::verifyPdf()}'s.
     *
     * @param string                      $pdf     the PDF's bytes
     * @param array<string, mixed>|object $options see above; empty: the vault's trust, now
     * @return array<string, mixed> revisions, indication, sub_indication, signatures
     *
     * @throws Exception\PdfUnreadableException   the bytes cannot be read as a PDF
     * @throws Exception\InvalidArgumentException bad options
     */
    public function verifyPdf(string $pdf, array|object $options = []): array
    {
        $fn = 'rv_vault_verify_pdf';
        $pdfBuffer = $this->lib->bytes($pdf);
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $pdfBuffer,
            strlen($pdf),
            Verifier::pdfOptions($this->lib, $options, $fn),
        );
    }

    /**
     * The check of a stored result's embedded PDF signatures, made when it was ingested
     * against the trust store as it stood then (`rv_vault_pdf_check`). It is read, not
     * made again: {@see verifyPdf()} over {@see readContent()} verifies the PDF now.
     *
     * @param string $id a 26-character ULID
     * @return array{checked_at: string, verdict: array<string, mixed>|null, problem: string|null}|null
     *         `verdict` as {@see verifyPdf()} returns it, null when the file could not be read
     *         as a PDF (`problem` says why); null for a result that was not checked (not a
     *         PDF, ingested under `'pdf_signatures' => 'ignore'` or before the vault checked PDFs)
     *
     * @throws Exception\NotFoundException        no such result
     * @throws Exception\InvalidArgumentException not a valid id
     */
    public function pdfCheck(string $id): ?array
    {
        $fn = 'rv_vault_pdf_check';
        return $this->lib->callJson($fn, $this->handle(), $this->text($id, 'id', $fn));
    }

    // ---- Plumbing ----

    /**
     * A vault holds a native handle: it cannot be copied.
     */
    private function __clone()
    {
    }

    /**
     * A vault holds a native handle: it cannot be serialized.
     *
     * @return never
     */
    public function __serialize(): array
    {
        throw new \LogicException('a ' . self::class . ' holds a native handle and cannot be serialized');
    }

    /**
     * A vault holds a native handle: it cannot be unserialized.
     *
     * @param array<mixed> $data
     * @return never
     */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('a ' . self::class . ' holds a native handle and cannot be unserialized');
    }


    private function text(string $value, string $name, string $function): string
    {
        return $this->lib->text($value, $name, $function);
    }

    private function handle(): CData
    {
        if ($this->handle === null) {
            // Only reachable from a destructor running during shutdown.
            throw new ClosedException('the vault was released', ResultCode::Closed->value);
        }
        return $this->handle;
    }
}
