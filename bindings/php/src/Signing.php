<?php

declare(strict_types=1);

namespace ResultsVault;

/**
 * Two-phase (remote) signing and attached signatures of a {@see Vault}.
 *
 * Used by {@see Vault} only: it relies on the vault's library and handle.
 */
trait Signing
{

    /**
     * Begins a two-phase signing session for a stored result (`rv_vault_begin_signing`).
     *
     * Send the provider what it signs, from the session (lowercase hex):
     * `signed_attributes_digest` for a CSC `signHash`, `signed_attributes` (DER) for a
     * signer that hashes itself, `envelope_digest` for a provider answering a whole
     * CMS; then call {@see completeSigningRaw()} or {@see completeSigningCms()} with
     * its `session_id`. The session is stored in the vault and survives a restart
     * until it expires.
     *
     * @param string      $chain  the signer's certificate chain, signer first: PEM
     *                            (one or more blocks) or DER certificates back to back
     * @param string|null $digest `"SHA-256"` (null), `"SHA-384"` or `"SHA-512"` (Ed25519 keys)
     * @return array<string, mixed> the session: session_id, result_id, digest_algorithm, key,
     *         certificate_chain, envelope_digest, signed_attributes, signed_attributes_digest,
     *         signing_time, created_at, expires_at, state
     *
     * @throws Exception\SigningRequestRefusedException bad chain, digest or key type
     * @throws Exception\NotFoundException              no such record
     */
    public function beginSigning(string $id, string $chain, ?string $digest = null): array
    {
        $fn = 'rv_vault_begin_signing';
        $buffer = $this->lib->bytes($chain);
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text($id, 'id', $fn),
            $buffer,
            strlen($chain),
            $digest === null ? null : $this->text($digest, 'digest', $fn),
        );
    }

    /**
     * A signing session by id, in whatever state it is: `OPEN`, `COMPLETED` or
     * `CANCELLED` (`rv_vault_signing_session`).
     *
     * @return array<string, mixed> the session, as {@see beginSigning()}
     *
     * @throws Exception\NotFoundException no such session
     */
    public function signingSession(string $sessionId): array
    {
        $fn = 'rv_vault_signing_session';
        return $this->lib->callJson($fn, $this->handle(), $this->text($sessionId, 'session_id', $fn));
    }

    /**
     * Cancels an open session: a reply that comes later is refused
     * (`rv_vault_cancel_signing`).
     *
     * @return array<string, mixed> the session after the change
     */
    public function cancelSigning(string $sessionId): array
    {
        $fn = 'rv_vault_cancel_signing';
        return $this->lib->callJson($fn, $this->handle(), $this->text($sessionId, 'session_id', $fn));
    }

    /**
     * Completes a session with a raw signature value over the session's
     * `signed_attributes` (`rv_vault_complete_signing_raw`). The signature is verified
     * before anything is stored; on refusal nothing is stored and the session stays
     * open. Completing again with the same reply returns the same signature.
     *
     * @param string $algorithm `"RSA_PKCS1"`, `"RSA_PSS"`, `"ECDSA"` (DER or raw r||s) or `"ED25519"`
     * @param string $signature the signature value's bytes
     * @return array<string, mixed> the stored signature: result_id, sha256, cms (hex DER),
     *         signer_certificate, source, proof_of_existence, event_seq, acceptance (the verdict)
     *
     * @throws Exception\SignatureRefusedException the signature does not verify
     * @throws Exception\SessionUnusableException  expired, cancelled, or completed with another reply
     * @throws Exception\NotFoundException         no such session
     */
    public function completeSigningRaw(string $sessionId, string $algorithm, string $signature): array
    {
        $fn = 'rv_vault_complete_signing_raw';
        $buffer = $this->lib->bytes($signature);
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text($sessionId, 'session_id', $fn),
            $this->text($algorithm, 'algorithm', $fn),
            $buffer,
            strlen($signature),
        );
    }

    /**
     * Completes a session with a whole detached CMS over the record's envelope (DER or
     * BER), as VNPT SmartCA and Viettel MySign answer (`rv_vault_complete_signing_cms`).
     * As {@see completeSigningRaw()}.
     *
     * @param string $cms the CMS's bytes
     * @return array<string, mixed> the stored signature
     *
     * @throws Exception\SignatureRefusedException the CMS is unreadable or does not verify
     * @throws Exception\SessionUnusableException  expired, cancelled, or completed with another reply
     */
    public function completeSigningCms(string $sessionId, string $cms): array
    {
        $fn = 'rv_vault_complete_signing_cms';
        $buffer = $this->lib->bytes($cms);
        return $this->lib->callJson($fn, $this->handle(), $this->text($sessionId, 'session_id', $fn), $buffer, strlen($cms));
    }

    /**
     * Attaches a detached CMS made elsewhere over the record's envelope
     * ({@see envelope()}), verified as a session's reply is
     * (`rv_vault_attach_signature`).
     *
     * @param string $cms the CMS's bytes (DER or BER)
     * @return array<string, mixed> the stored signature
     *
     * @throws Exception\SignatureRefusedException the CMS is unreadable or does not verify
     */
    public function attachSignature(string $id, string $cms): array
    {
        $fn = 'rv_vault_attach_signature';
        $buffer = $this->lib->bytes($cms);
        return $this->lib->callJson($fn, $this->handle(), $this->text($id, 'id', $fn), $buffer, strlen($cms));
    }

    /**
     * The signatures the vault accepted for a record, oldest first
     * (`rv_vault_signatures`).
     *
     * @return list<array<string, mixed>> as {@see completeSigningRaw()} returns them
     */
    public function signatures(string $id): array
    {
        return $this->lib->callJson('rv_vault_signatures', $this->handle(), $this->text($id, 'id', 'rv_vault_signatures'));
    }

    /**
     * The latest verdict kept with each of a record's signatures, in the order of
     * {@see signatures()} (`rv_vault_signature_checks`).
     *
     * @return list<array<string, mixed>|null> a verdict, or null where none is kept
     */
    public function signatureChecks(string $id): array
    {
        $fn = 'rv_vault_signature_checks';
        return $this->lib->callJson($fn, $this->handle(), $this->text($id, 'id', $fn));
    }
}
