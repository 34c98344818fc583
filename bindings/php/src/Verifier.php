<?php

declare(strict_types=1);

namespace ResultsVault;

use ResultsVault\Exception\ResultsVaultException;

/**
 * Verification without a vault, against the caller's own trust material: a detached CMS
 * signature over given bytes (`rv_verify_detached`), and every signature of a signed PDF
 * (`rv_verify_pdf`).
 */
final class Verifier
{
    /** The verdict's `indication` when the signature is valid. */
    public const PASSED = 'PASSED';

    /** The verdict's `indication` when validity cannot be established (e.g. an unknown CA). */
    public const INDETERMINATE = 'INDETERMINATE';

    /** The verdict's `indication` when the signature is invalid (e.g. altered data). */
    public const FAILED = 'FAILED';

    private function __construct()
    {
    }

    /**
     * Verifies a detached CMS signature over `$content` (`rv_verify_detached`).
     *
     * `$params` holds `anchors` (required), `intermediates`, `crls`: lists whose items
     * are PEM text or hex DER (e.g. {@see Vault::trustMaterial()}); optionally
     * `validation_time` (RFC 3339; default now), `proof_of_existence` (RFC 3339: a time
     * the caller can prove the signature existed), `policy` (`"cades-baseline"`, the
     * default, `"pkcs7-detached"`, or an array as `signature_policy` of
     * {@see Vault::open()}), `all_signers` (bool: verify every SignerInfo).
     *
     * A bad signature is a verdict, not an exception: look at each verdict's
     * `indication` ({@see PASSED}, {@see INDETERMINATE}, {@see FAILED}).
     *
     * @param string                      $cms     the CMS's bytes, DER or BER
     * @param string                      $content the signed bytes
     * @param array<string, mixed>|object $params  see above
     * @param Library|null                $library the library; null: {@see Library::instance()}
     * @return list<array<string, mixed>> one verdict per SignerInfo verified: indication,
     *         sub_indication, detail, signer, chain, revocation, crls_used…
     *
     * @throws Exception\InvalidArgumentException bad params (no anchors, an item neither PEM nor hex DER)
     * @throws ResultsVaultException              any other failure
     */
    public static function verifyDetached(
        string $cms,
        string $content,
        array|object $params,
        ?Library $library = null,
    ): array {
        $lib = $library ?? Library::instance();
        $fn = 'rv_verify_detached';
        $cmsBuffer = $lib->bytes($cms);
        $contentBuffer = $lib->bytes($content);
        return $lib->callJson(
            $fn,
            $cmsBuffer,
            strlen($cms),
            $contentBuffer,
            strlen($content),
            $lib->encode($params, 'params', $fn),
        );
    }

    /**
     * Verifies every signature and document timestamp of a signed PDF (PAdES,
     * `rv_verify_pdf`). Each signature's policy follows its `/SubFilter`, so none is given.
     *
     * `$options` may hold `anchors`, `intermediates`, `crls` (lists whose items are PEM
     * text or hex DER, as for {@see verifyDetached()}), `validation_time` and
     * `proof_of_existence` (RFC 3339 strings or `DateTimeInterface`; default now / none).
     * Without anchors no signature can be PASSED. Unknown keys are refused.
     *
     * A badly signed, altered or unsigned PDF is a verdict, not an exception: look at
     * `indication` ({@see PASSED}, {@see INDETERMINATE}, {@see FAILED}).
     *
     * @param string                      $pdf     the PDF's bytes
     * @param array<string, mixed>|object $options see above; empty: no trust material, now
     * @param Library|null                $library the library; null: {@see Library::instance()}
     * @return array<string, mixed> the PDF's verdict: `revisions`, `indication`,
     *         `sub_indication`, `signatures` (in signing order, each with `field`, `kind`,
     *         `sub_filter`, `claimed_time`, `reason`, `location`, `signed_revision`,
     *         `covers_whole_file`, `coverage_problem`, `modified_after_signing`,
     *         `changes_after_signing`, `certification` and `verdict`: indication,
     *         sub_indication, detail, signer, chain, revocation, crls_used…)
     *
     * @throws Exception\PdfUnreadableException   the bytes cannot be read as a PDF
     * @throws Exception\InvalidArgumentException bad options
     * @throws ResultsVaultException              any other failure
     */
    public static function verifyPdf(string $pdf, array|object $options = [], ?Library $library = null): array
    {
        $lib = $library ?? Library::instance();
        $fn = 'rv_verify_pdf';
        $pdfBuffer = $lib->bytes($pdf);
        return $lib->callJson($fn, $pdfBuffer, strlen($pdf), self::pdfOptions($lib, $options, $fn));
    }

    /**
     * The options JSON of `rv_verify_pdf` / `rv_vault_verify_pdf`: null when empty, times
     * given as `DateTimeInterface` written in RFC 3339.
     *
     * @internal
     * @param array<string, mixed>|object $options
     */
    public static function pdfOptions(Library $lib, array|object $options, string $function): ?string
    {
        if ($options === []) {
            return null;
        }
        if (is_array($options)) {
            foreach (['validation_time', 'proof_of_existence'] as $key) {
                if (($options[$key] ?? null) instanceof \DateTimeInterface) {
                    $options[$key] = Library::time($options[$key]);
                }
            }
        }
        return $lib->encode($options, 'options', $function);
    }

    /**
     * Whether every verdict of {@see verifyDetached()} is PASSED (and there is at least
     * one).
     *
     * @param list<array<string, mixed>> $verdicts
     */
    public static function allPassed(array $verdicts): bool
    {
        if ($verdicts === []) {
            return false;
        }
        foreach ($verdicts as $verdict) {
            if (($verdict['indication'] ?? null) !== self::PASSED) {
                return false;
            }
        }
        return true;
    }
}
