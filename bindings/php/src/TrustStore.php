<?php

declare(strict_types=1);

namespace ResultsVault;

use FFI;

/**
 * The trust store of a {@see Vault}: anchors (e.g. the National Root CA), intermediates, CRLs,
 * and the CRLs kept as evidence with verdicts.
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
     * A CRL kept as evidence with a verdict, by its SHA-256 as the verdict's
     * `crls_used` names it, even after it left the trust store (`rv_vault_kept_crl`).
     *
     * @return string the CRL's DER bytes
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
