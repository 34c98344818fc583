<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Exception\ClosedException;
use ResultsVault\Exception\ContentRefusedException;
use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Exception\NotFoundException;
use ResultsVault\Exception\PdfUnreadableException;
use ResultsVault\Library;
use ResultsVault\ResultCode;
use ResultsVault\Vault;
use ResultsVault\Verifier;

/**
 * Signed PDFs (`rv_verify_pdf`, `rv_vault_verify_pdf`, `rv_vault_pdf_check`, the open
 * option `pdf_signatures`): a PDF signed by
 * bindings/testdata/make-signed-pdf.py (the real openssl, the test PKI's officer) passes
 * against the root and its CRL, given by the caller or held by a vault; altered or
 * unsigned PDFs are verdicts; bytes that are no PDF throw PdfUnreadableException.
 */
final class PdfTest extends TestCase
{
    private static string $pdf;

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        $dir = self::makeTempDir('rv-php-pdf-');
        self::runCommand([
            'python3',
            dirname(__DIR__, 2) . '/testdata/make-signed-pdf.py',
            self::pki() . '/officer.pem',
            self::pki() . '/officer.key',
            "{$dir}/signed.pdf",
        ]);
        self::$pdf = (string) file_get_contents("{$dir}/signed.pdf");
        self::removeTree($dir);
    }

    /**
     * @param array<string, mixed> $extra
     * @return array<string, mixed>
     */
    private static function trusted(array $extra = []): array
    {
        return array_replace([
            'anchors' => [self::pkiFile('root.pem')],
            'crls' => [self::pkiFile('crl.pem')],
        ], $extra);
    }

    public function testASignedPdfPassesAgainstTheRootAndCrl(): void
    {
        $verdict = Verifier::verifyPdf(self::$pdf, self::trusted());
        self::assertSame(Verifier::PASSED, $verdict['indication']);
        self::assertNull($verdict['sub_indication']);
        self::assertSame(1, $verdict['revisions']);
        self::assertCount(1, $verdict['signatures']);
        $signature = $verdict['signatures'][0];
        foreach (['field', 'kind', 'sub_filter', 'claimed_time', 'reason', 'location', 'signed_revision',
            'covers_whole_file', 'coverage_problem', 'modified_after_signing', 'changes_after_signing',
            'certification', 'verdict'] as $key) {
            self::assertArrayHasKey($key, $signature);
        }
        self::assertSame('Signature1', $signature['field']);
        self::assertSame('signature', $signature['kind']);
        self::assertSame('adbe.pkcs7.detached', $signature['sub_filter']);
        self::assertSame('Ký số bản sao điện tử', $signature['reason']);
        self::assertSame('UBND phường Bến Nghé', $signature['location']);
        self::assertTrue($signature['covers_whole_file']);
        self::assertFalse($signature['modified_after_signing']);
        self::assertSame([], $signature['changes_after_signing']);
        self::assertSame(Verifier::PASSED, $signature['verdict']['indication']);
        self::assertSame('CN=Test Officer', $signature['verdict']['signer']['subject']);
        self::assertSame('GOOD', $signature['verdict']['revocation']['status']);
        self::assertSame(hash('sha256', self::pkiFile('crl.der')), $signature['verdict']['crls_used'][0]['sha256']);

        // Hex DER as well as PEM; a DateTimeInterface validation time.
        $at = new \DateTimeImmutable('now', new \DateTimeZone('UTC'));
        $verdict = Verifier::verifyPdf(self::$pdf, [
            'anchors' => [bin2hex(self::pkiFile('root.der'))],
            'crls' => [bin2hex(self::pkiFile('crl.der'))],
            'validation_time' => $at,
        ]);
        self::assertSame(Verifier::PASSED, $verdict['indication']);
        self::assertSame($at->format('Y-m-d\TH:i:s'), substr($verdict['signatures'][0]['verdict']['validation_time'], 0, 19));
    }

    public function testWithoutTrustOrCrlItIsIndeterminate(): void
    {
        $verdict = Verifier::verifyPdf(self::$pdf);
        self::assertSame(Verifier::INDETERMINATE, $verdict['indication']);
        $verdict = Verifier::verifyPdf(self::$pdf, self::trusted(['crls' => []]));
        self::assertSame(Verifier::INDETERMINATE, $verdict['indication']);
        self::assertSame('TRY_LATER', $verdict['signatures'][0]['verdict']['sub_indication']);
    }

    public function testATamperedPdfFails(): void
    {
        $tampered = self::$pdf;
        $at = strpos($tampered, '(Trich luc');
        self::assertIsInt($at);
        $tampered[$at + 3] = chr(ord($tampered[$at + 3]) ^ 0x01);
        $verdict = Verifier::verifyPdf($tampered, self::trusted());
        self::assertSame(Verifier::FAILED, $verdict['indication']);
        self::assertSame('HASH_FAILURE', $verdict['sub_indication']);
        self::assertSame(Verifier::FAILED, $verdict['signatures'][0]['verdict']['indication']);
    }

    public function testBytesThatAreNoPdfThrow(): void
    {
        foreach (['text' => 'not a PDF at all', 'empty' => '', 'cut in half' => substr(self::$pdf, 0, 300)] as $what => $bytes) {
            try {
                Verifier::verifyPdf($bytes, self::trusted());
                self::fail("{$what}: no exception");
            } catch (PdfUnreadableException $e) {
                self::assertSame(20, $e->getRvCode(), $what);
                self::assertSame('RV_PDF_UNREADABLE', $e->getRvName(), $what);
                self::assertSame(ResultCode::PdfUnreadable, $e->getResultCode(), $what);
                self::assertSame('rv_verify_pdf', $e->getFunction(), $what);
                self::assertStringContainsString('PDF', $e->getMessage(), $what);
            }
        }
        // The enum mirrors the library's names, the new code included.
        foreach (ResultCode::cases() as $code) {
            self::assertSame($code->cName(), Library::instance()->resultName($code->value));
        }
    }

    public function testBadOptionsAreRefused(): void
    {
        $cases = [
            'a policy (the /SubFilter picks it)' => [['policy' => 'pkcs7-detached'], 3],
            'an anchor neither PEM nor hex' => [['anchors' => ['zz not hex']], 4],
            'a time that is no time' => [['validation_time' => 'yesterday'], 4],
            'a string that is not UTF-8' => [['validation_time' => "\xff\xfe"], 2],
        ];
        foreach ($cases as $what => [$options, $code]) {
            try {
                Verifier::verifyPdf(self::$pdf, $options);
                self::fail("{$what}: accepted");
            } catch (InvalidArgumentException $e) {
                self::assertSame($code, $e->getRvCode(), "{$what}: {$e->getMessage()}");
            }
        }
    }

    public function testAVaultVerifiesWithItsTrustStoreAndChangesNothing(): void
    {
        $vault = $this->trustedVault();
        $head = $vault->logHead();
        $verdict = $vault->verifyPdf(self::$pdf);
        self::assertSame(Verifier::PASSED, $verdict['indication']);
        self::assertSame('CN=Test Officer', $verdict['signatures'][0]['verdict']['signer']['subject']);
        self::assertSame(Verifier::PASSED, $vault->verifyPdf(self::$pdf, ['validation_time' => self::now()])['indication']);
        self::assertSame($head, $vault->logHead(), 'verifying a PDF writes nothing');
        try {
            $vault->verifyPdf('garbage');
            self::fail('garbage was verified');
        } catch (PdfUnreadableException $e) {
            self::assertSame('rv_vault_verify_pdf', $e->getFunction());
        }
        $vault->close();
        $this->expectException(ClosedException::class);
        $vault->verifyPdf(self::$pdf);
    }

    /** The signed PDF with one byte of its signed content flipped. */
    private static function tampered(): string
    {
        $tampered = self::$pdf;
        $at = strpos($tampered, '(Trich luc');
        self::assertIsInt($at);
        $tampered[$at + 3] = chr(ord($tampered[$at + 3]) ^ 0x01);
        return $tampered;
    }

    public function testAStoredPdfsCheckIsTheOneMadeAtIngest(): void
    {
        $vault = $this->trustedVault();
        $signed = $vault->ingest(self::meta(['dossier_code' => 'H-PDF-1']), self::$pdf)['record']['result_id'];
        $check = $vault->pdfCheck($signed);
        self::assertIsArray($check);
        $keys = array_keys($check);
        sort($keys);
        self::assertSame(['checked_at', 'problem', 'verdict'], $keys);
        self::assertStringEndsWith('Z', $check['checked_at']);
        self::assertNull($check['problem']);
        self::assertSame(Verifier::PASSED, $check['verdict']['indication']);
        self::assertSame('CN=Test Officer', $check['verdict']['signatures'][0]['verdict']['signer']['subject']);

        // The default policy stores a tampered PDF, its check FAILED.
        $tampered = $vault->ingest(self::meta(['dossier_code' => 'H-PDF-2']), self::tampered())['record']['result_id'];
        self::assertSame(Verifier::FAILED, $vault->pdfCheck($tampered)['verdict']['indication']);

        // Declared a PDF but not readable as one: no verdict, and why.
        $unreadable = $vault->ingest(self::meta(['dossier_code' => 'H-PDF-3']), self::pdfBytes('x'))['record']['result_id'];
        $check = $vault->pdfCheck($unreadable);
        self::assertNull($check['verdict']);
        self::assertIsString($check['problem']);

        // Not a PDF: no check at all (null, not an exception).
        $text = $vault->ingest(
            self::meta(['dossier_code' => 'H-PDF-4', 'media_type' => 'text/plain', 'file_name' => 'a.txt']),
            'a plain text result',
        )['record']['result_id'];
        self::assertNull($vault->pdfCheck($text));

        // No such result is an exception; so is a closed vault.
        try {
            $vault->pdfCheck('01M8442DNE2PJSSAEKS0MKZ3CK');
            self::fail('an unknown id was answered');
        } catch (NotFoundException $e) {
            self::assertSame('rv_vault_pdf_check', $e->getFunction());
        }
        try {
            $vault->pdfCheck('not-an-id');
            self::fail('a malformed id was answered');
        } catch (InvalidArgumentException $e) {
            self::assertSame('RV_INVALID_ARGUMENT', $e->getRvName());
        }
        $vault->close();
        $this->expectException(ClosedException::class);
        $vault->pdfCheck($signed);
    }

    public function testRefuseFailedRefusesAFailedOrUnreadablePdfAndStoresNothing(): void
    {
        $path = $this->tempDir() . '/refuse.vault';
        $vault = $this->track(Vault::open($path, ['mode' => 'create', 'pdf_signatures' => 'refuse_failed']));
        $vault->addTrustAnchor(self::pkiFile('root.pem'));
        $vault->addCrl(self::pkiFile('crl.der'));
        $head = $vault->logHead();
        foreach (['tampered' => self::tampered(), 'not readable' => self::pdfBytes('y')] as $what => $content) {
            try {
                $vault->ingest(self::meta(['dossier_code' => "R-{$what}"]), $content);
                self::fail("{$what}: stored");
            } catch (ContentRefusedException $e) {
                self::assertSame(15, $e->getRvCode(), $what);
                self::assertSame('rv_vault_ingest', $e->getFunction(), $what);
                self::assertStringContainsString('PDF refused', $e->getMessage(), $what);
            }
        }
        self::assertSame($head, $vault->logHead(), 'a refused PDF stores nothing');
        $signed = $vault->ingest(self::meta(['dossier_code' => 'R-signed']), self::$pdf)['record']['result_id'];
        self::assertSame(Verifier::PASSED, $vault->pdfCheck($signed)['verdict']['indication']);

        // "ignore": not looked at, so no check; "record" by name is the default.
        foreach (['ignore' => true, 'record' => false] as $policy => $none) {
            $other = $this->track(Vault::open($this->tempDir() . "/{$policy}.vault", ['pdf_signatures' => $policy]));
            $id = $other->ingest(self::meta(['dossier_code' => "P-{$policy}"]), self::tampered())['record']['result_id'];
            self::assertSame($none, $other->pdfCheck($id) === null, $policy);
        }

        // Any other value is refused, before a file is made.
        foreach (['refuse', 'RefuseFailed', 'IGNORE', '', 1, true] as $bad) {
            $badPath = $this->tempDir() . '/bad.vault';
            try {
                Vault::open($badPath, ['mode' => 'create', 'pdf_signatures' => $bad]);
                self::fail('accepted: ' . var_export($bad, true));
            } catch (InvalidArgumentException $e) {
                self::assertSame('RV_INVALID_JSON', $e->getRvName(), var_export($bad, true));
                self::assertFileDoesNotExist($badPath);
            }
        }
    }

    public function testAVaultWithoutTrustTakesTheOptionsTrust(): void
    {
        $vault = $this->track(\ResultsVault\Vault::open($this->tempDir() . '/empty.vault'));
        self::assertSame(Verifier::INDETERMINATE, $vault->verifyPdf(self::$pdf)['indication']);
        self::assertSame(Verifier::PASSED, $vault->verifyPdf(self::$pdf, self::trusted())['indication']);
    }
}
