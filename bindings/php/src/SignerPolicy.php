<?php

declare(strict_types=1);

namespace ResultsVault;

use FFI;

/**
 * The signer policy of a {@see Vault}: who may sign results for which agency. A PDF signed
 * inside by the issuing agency counts for reuse when its signer is accepted by the
 * agency's rules; an agency with no rule accepts any trusted signer, and every verdict
 * that relied on that default says so (`signer_policy`). Each change is an audit event.
 *
 * A rule is one of:
 * `['kind' => 'certificate', 'sha256' => HEX]` (the signer certificate, as a verdict's
 * `signer.sha256`), `['kind' => 'issuer_organization', 'issuer' => DN, 'organization' => O]`
 * (any certificate from that issuer whose subject has that O=), or
 * `['kind' => 'under_ca', 'sha256' => HEX]` (any certificate whose chain goes through
 * that CA certificate).
 *
 * Used by {@see Vault} only: it relies on the vault's library and handle.
 */
trait SignerPolicy
{
    /**
     * Adds a signer rule for an agency (`rv_vault_add_signer_rule`). Adding the same rule
     * again returns the stored one.
     *
     * @param string $agencyCode the issuing agency's e-ID code (records' `agency_code`)
     * @param array<string, string>|object $rule the rule (see the trait's description)
     * @param string|null $reason why, kept in the audit event
     * @return array{rule_id: string, agency_code: string, rule: array<string, string>,
     *         added_at: string, reason?: string} the stored rule
     *
     * @throws Exception\InvalidArgumentException an unknown kind or field, bad hex
     *         (`RV_INVALID_JSON`), an empty or over-long text (`RV_INVALID_ARGUMENT`)
     */
    public function addSignerRule(string $agencyCode, array|object $rule, ?string $reason = null): array
    {
        $fn = 'rv_vault_add_signer_rule';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $this->text($agencyCode, 'agency_code', $fn),
            $this->lib->encode($rule, 'rule', $fn),
            $reason === null ? null : $this->text($reason, 'reason', $fn),
        );
    }

    /**
     * Removes the signer rule with this id (`rv_vault_remove_signer_rule`).
     *
     * @param string $ruleIdHex 64 hex digits, as the rule's `rule_id`
     * @param string|null $reason why, kept in the audit event
     * @return bool false when there was no such rule
     */
    public function removeSignerRule(string $ruleIdHex, ?string $reason = null): bool
    {
        $fn = 'rv_vault_remove_signer_rule';
        $removed = $this->lib->ffi()->new('bool');
        $this->lib->call(
            $fn,
            $this->handle(),
            $this->text($ruleIdHex, 'rule_id_hex', $fn),
            $reason === null ? null : $this->text($reason, 'reason', $fn),
            FFI::addr($removed),
        );
        return (bool) $removed->cdata;
    }

    /**
     * The signer rules, oldest first: all, or one agency's (`rv_vault_signer_rules`). An
     * empty list for an agency means the default: any trusted signer.
     *
     * @return list<array{rule_id: string, agency_code: string, rule: array<string, string>,
     *         added_at: string, reason?: string}>
     */
    public function signerRules(?string $agencyCode = null): array
    {
        $fn = 'rv_vault_signer_rules';
        return $this->lib->callJson(
            $fn,
            $this->handle(),
            $agencyCode === null ? null : $this->text($agencyCode, 'agency_code', $fn),
        );
    }
}
