<?php

declare(strict_types=1);

namespace ResultsVault;

use FFI;

/**
 * The trust store of a {@see Vault}: anchors (e.g. the National Root CA), intermediates, CRLs,
 * OCSP responses, their refresh from the network, and the CRLs and OCSP responses kept as
 * evidence with verdicts.
 *
 * Used by {@see Vault} only: it relies on the vault's library and handle.
 */
trait TrustStore
{

    /**
     * Adds a trust anchor, e.g. the National Root CA (`rv_vault_add_trust_anchor`).
     * Adding the same certificate twice returns the stored item.
     *
     * @param string $certificate one certificate, DER or PEM
     * @return array{kind: string, sha256: string, name: string, added_at: string} the stored item
     *
     * @throws Exception\TrustRefusedException    not a CA certificate, key unusable, bad self-signature
     * @throws Exception\InvalidArgumentException neither DER nor PEM, or more than one item
     */
    public function addTrustAnchor(string $certificate): array
    {
        return $this->addTrustItem('rv_vault_add_trust_anchor', $certificate);
    }

    /**
     * Adds an intermediate CA certificate, used for path building and trusted only
     * through an anchor (`rv_vault_add_intermediate`).
     *
     * @param string $certificate one certificate, DER or PEM
     * @return array{kind: string, sha256: string, name: string, added_at: string} the stored item
     *
     * @throws Exception\TrustRefusedException as {@see addTrustAnchor()}
     */
    public function addIntermediate(string $certificate): array
    {
        return $this->addTrustItem('rv_vault_add_intermediate', $certificate);
    }

    /**
     * Adds a CRL, its signature checked against a stored issuer first
     * (`rv_vault_add_crl`).
     *
     * @param string $crl one CRL, DER or PEM
     * @return array{kind: string, sha256: string, name: string, added_at: string} the stored item
     *
     * @throws Exception\TrustRefusedException no stored issuer, or a bad signature
     */
    public function addCrl(string $crl): array
    {
        return $this->addTrustItem('rv_vault_add_crl', $crl);
    }

    /**
     * Adds an OCSP response (`rv_vault_add_ocsp_response`): a DER OCSPResponse (RFC 6960)
     * as a responder answers or `openssl ocsp -respout` writes it. It is checked first:
     * signed by a stored CA or by a responder that CA authorized, about certificates it
     * issued. Verifications then read it as revocation evidence, like a CRL, and name it
     * in a verdict's `ocsp_used`.
     *
     * @param string $response one OCSP response, DER (or PEM)
     * @return array{kind: string, sha256: string, name: string, added_at: string} the stored
     *         item (`kind` "ocsp", `name` the CA it answers for)
     *
     * @throws Exception\TrustRefusedException    not an OCSP response, not successful, or no
     *                                            stored CA vouches for it
     * @throws Exception\InvalidArgumentException neither DER nor PEM, or more than one item
     */
    public function addOcspResponse(string $response): array
    {
        return $this->addTrustItem('rv_vault_add_ocsp_response', $response);
    }

    /**
     * Fetches the revocation data the trust store's CAs and the stored signers'
     * certificates name (their CRL distribution points and OCSP responders, http and
     * https only), checks each answer as {@see addCrl()} and {@see addOcspResponse()} do
     * and keeps what is new (`rv_vault_refresh_revocation`). A source that fails is
     * reported and the others are still refreshed: this throws only when the vault itself
     * fails.
     *
     * BLOCKING: every source is fetched in turn, each for up to `timeout_secs`; call it
     * from a worker or a nightly job, never while a citizen waits.
     *
     * @param array{timeout_secs?: int, max_crl_bytes?: int, max_ocsp_bytes?: int} $options
     *        `timeout_secs` 1 to 600 (default 10), `max_crl_bytes` (default 32 MiB),
     *        `max_ocsp_bytes` (default 1 MiB)
     * @return array{sources: list<array{kind: string, url: string, about: string, outcome: string,
     *         sha256?: string, reason?: string}>} one entry per source: `outcome` is
     *         "added" or "unchanged" (with `sha256`), "failed" or "skipped" (with `reason`)
     *
     * @throws Exception\InvalidArgumentException an option out of its range (`RV_INVALID_ARGUMENT`),
     *                                            or an unknown one (`RV_INVALID_JSON`)
     */
    public function refreshRevocation(array $options = []): array
    {
        $fn = 'rv_vault_refresh_revocation';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $options === [] ? null : $this->lib->encode($options, 'options', $fn),
        );
    }

    /**
     * Removes the trust item with this SHA-256 (`rv_vault_remove_trust_item`).
     *
     * @param string $sha256Hex 64 hex digits, as the item's `sha256`
     * @return bool false when there was no such item
     */
    public function removeTrustItem(string $sha256Hex): bool
    {
        $fn = 'rv_vault_remove_trust_item';
        $removed = $this->lib->ffi()->new('bool');
        $this->lib->call($fn, $this->handle(), $this->text($sha256Hex, 'sha256_hex', $fn), FFI::addr($removed));
        return (bool) $removed->cdata;
    }

    /**
     * The trust store's items (`rv_vault_trust_items`).
     *
     * @return list<array{kind: string, sha256: string, name: string, added_at: string}>
     */
    public function trustItems(): array
    {
        return $this->lib->callJson('rv_vault_trust_items', $this->handle());
    }

    /**
     * The trust material itself, hex DER (`rv_vault_trust_material`): e.g. the
     * `anchors`/`intermediates`/`crls` of {@see Verifier::verifyDetached()} elsewhere.
     *
     * @return array{anchors: list<string>, intermediates: list<string>, crls: list<string>}
     */
    public function trustMaterial(): array
    {
        return $this->lib->callJson('rv_vault_trust_material', $this->handle());
    }

    /**
     * A CRL or OCSP response kept as evidence with a verdict, by its SHA-256 as the
     * verdict's `crls_used` or `ocsp_used` names it, even after it left the trust store
     * (`rv_vault_kept_crl`).
     *
     * @return string its DER bytes
     *
     * @throws Exception\NotFoundException no such CRL is kept
     */
    public function keptCrl(string $sha256Hex): string
    {
        $fn = 'rv_vault_kept_crl';
        return $this->lib->callBytes($fn, $this->handle(), $this->text($sha256Hex, 'sha256_hex', $fn));
    }

    /**
     * @param string $function the C function
     * @return array<string, mixed>
     */
    private function addTrustItem(string $function, string $bytes): array
    {
        $buffer = $this->lib->bytes($bytes);
        return $this->lib->callJson($function, $this->handle(), $buffer, strlen($bytes));
    }
}
