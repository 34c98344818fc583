<?php

declare(strict_types=1);

namespace ResultsVault;

/**
 * Two-phase (remote) signing, signing through a remote provider, and attached
 * signatures of a {@see Vault}.
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
     * Signs a stored result through a remote signing provider and stores the signature
     * (`rv_vault_sign_remote`): the library asks the provider for the officer's
     * certificate, begins a signing session, sends the hash, then polls until the officer
     * approves on the phone, refuses, or `wait_seconds` runs out. The answer is verified
     * before anything is stored.
     *
     * BLOCKING: the call returns only when the officer has answered or `wait_seconds`
     * (default 300) has passed: run it in a worker (a queue job), not in a web request.
     *
     * `$config` is the provider's configuration (an array, or JSON text); environment
     * variables `RVAULT_SMARTCA_<FIELD>`, `RVAULT_CSC_<FIELD>`, `RVAULT_MYSIGN_<FIELD>`
     * fill or override its fields, so secrets can stay out of the code. For
     * `"vnpt-smartca"`: `base_url`, `sp_id`, `sp_password`, `user_id` (the officer's CCCD,
     * which the certificate's subject must hold), and optionally `serial_number`, `answer`
     * (`"cms"` or `"raw"`), `timeout_seconds`, `ca_file`, `certificate_sha256` (pins the
     * officer's certificate). See results_vault.h for `"csc"` and `"viettel-mysign"`.
     *
     * `$options` may hold `wait_seconds`, `poll_interval_ms` (default 2000),
     * `max_poll_interval_ms` (default 10000), `digest` (`"SHA-256"`), `description` (what
     * the officer sees).
     *
     * @param string                      $provider `"csc"`, `"vnpt-smartca"` or `"viettel-mysign"`
     * @param array<string, mixed>|string $config   the provider configuration (array or JSON text)
     * @param string                      $resultId the stored result to sign
     * @param array<string, mixed>        $options  see above; empty: the defaults
     * @return array<string, mixed> the stored signature, as {@see completeSigningRaw()}
     *         (its `source` holds the `session_id`)
     *
     * @throws Exception\ProviderPendingException        not approved within `wait_seconds`: resume
     *                                                   {@see Exception\ProviderException::getSessionId()}
     *                                                   with {@see resumeRemote()}
     * @throws Exception\ProviderDeclinedException       refused on the phone, not approved in time,
     *                                                   certificate revoked, quota, credentials
     * @throws Exception\ProviderUnreachableException    the provider could not be reached
     * @throws Exception\ProviderBadAnswerException      a malformed answer, or another signer's certificate
     * @throws Exception\ProviderOutcomeUnknownException whether the provider got the request is unknown
     * @throws Exception\ProviderConfigException         the configuration is invalid or incomplete
     * @throws Exception\SignatureRefusedException       the provider's signature does not verify
     * @throws Exception\NotFoundException               no such result
     */
    public function signRemote(string $provider, array|string $config, string $resultId, array $options = []): array
    {
        $fn = 'rv_vault_sign_remote';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text($provider, 'provider', $fn),
            $this->providerConfig($config, $fn),
            $this->text($resultId, 'result_id', $fn),
            $options === [] ? null : $this->lib->encode($options, 'options', $fn),
        );
    }

    /**
     * Goes on with a remote signing session after a {@see Exception\ProviderPendingException}
     * or a restart (`rv_vault_resume_remote`): polls the provider (the request is never
     * sent again) until the officer answers or `wait_seconds` runs out, and stores the
     * verified signature. A session already completed returns its signature.
     *
     * BLOCKING, as {@see signRemote()}.
     *
     * @param string                      $provider  the provider the session was sent to
     * @param array<string, mixed>|string $config    as {@see signRemote()}
     * @param string                      $sessionId the session, from
     *                                               {@see Exception\ProviderException::getSessionId()}
     * @param array<string, mixed>        $options   as {@see signRemote()} (`digest` is ignored)
     * @return array<string, mixed> the stored signature
     *
     * @throws Exception\ProviderPendingException  still not approved: call again later
     * @throws Exception\ProviderDeclinedException refused, or the session already ended at the provider
     * @throws Exception\ProviderConfigException   another provider, or a session not sent to one
     * @throws Exception\NotFoundException         no such session
     * @throws Exception\ProviderException         as {@see signRemote()}
     */
    public function resumeRemote(string $provider, array|string $config, string $sessionId, array $options = []): array
    {
        $fn = 'rv_vault_resume_remote';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text($provider, 'provider', $fn),
            $this->providerConfig($config, $fn),
            $this->text($sessionId, 'session_id', $fn),
            $options === [] ? null : $this->lib->encode($options, 'options', $fn),
        );
    }

    /**
     * Where the provider request of a signing session stands, as the vault stored it
     * (`rv_vault_remote_request`); the provider is not called.
     *
     * @return array<string, mixed> session_id, provider, client_request_id,
     *         provider_transaction_id, state (`sending`, `waiting`, `approved`, `rejected`,
     *         `expired`, `failed`, `unknown`), detail, outcome (e.g. `['kind' => 'rejected_by_user']`),
     *         polls, created_at, updated_at
     *
     * @throws Exception\NotFoundException no such session, or it was not sent to a provider
     */
    public function remoteRequest(string $sessionId): array
    {
        $fn = 'rv_vault_remote_request';
        return $this->lib->callJson($fn, $this->handle(), $this->text($sessionId, 'session_id', $fn));
    }

    /**
     * The provider requests a restarted portal must resume, oldest first
     * (`rv_vault_unfinished_remote_requests`): those still `sending`, `waiting` or
     * `approved` whose signing session is not completed. The provider is not called.
     * Resume each with {@see resumeRemote()} (its `provider` and `session_id`, with that
     * provider's configuration), e.g. from a worker started with the portal.
     *
     * @return list<array<string, mixed>> each as {@see remoteRequest()} returns it; empty when none
     */
    public function unfinishedRemoteRequests(): array
    {
        return $this->lib->callJson('rv_vault_unfinished_remote_requests', $this->handle());
    }

    /**
     * A provider configuration as the JSON text the library reads: an array is encoded
     * as a JSON object (an empty one too), a string is passed as it is.
     *
     * @param array<string, mixed>|string $config
     */
    private function providerConfig(array|string $config, string $fn): string
    {
        if (is_string($config)) {
            return $this->text($config, 'config', $fn);
        }
        return $config === [] ? '{}' : $this->lib->encode($config, 'config', $fn);
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
