<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Verifier;

/**
 * A detached CMS made by `openssl cms -sign`, verified without a vault.
 */
final class VerifierTest extends TestCase
{
    private static string $data;
    private static string $plainCms;
    private static string $cadesCms;

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        $dir = self::makeTempDir('rv-php-cms-');
        self::$data = "%PDF-1.7\n\x00binary\xff\xfe\x00 kết quả\n";
        file_put_contents("{$dir}/data", self::$data);
        $sign = static function (array $extra, string $out) use ($dir): string {
            self::runCommand(array_merge(
                ['openssl', 'cms', '-sign'],
                $extra,
                ['-binary', '-outform', 'DER', '-md', 'sha256', '-signer', self::pki() . '/officer.pem',
                    '-inkey', self::pki() . '/officer.key', '-in', "{$dir}/data", '-out', "{$dir}/{$out}"],
            ));
            return (string) file_get_contents("{$dir}/{$out}");
        };
        self::$plainCms = $sign([], 'plain.p7s');
        self::$cadesCms = $sign(['-cades'], 'cades.p7s');
        self::removeTree($dir);
    }

    /**
     * @return array<string, mixed>
     */
    private static function params(array $extra = []): array
    {
        return array_replace([
            'anchors' => [self::pkiFile('root.pem')],
            'crls' => [self::pkiFile('crl.pem')],
        ], $extra);
    }

    public function testOpensslCmsPassesAgainstTheRootAndCrl(): void
    {
        // `openssl cms -sign` without -cades has no ESS signing-certificate attribute:
        // PASSED under the pkcs7-detached policy...
        $verdicts = Verifier::verifyDetached(self::$plainCms, self::$data, self::params(['policy' => 'pkcs7-detached']));
        self::assertCount(1, $verdicts);
        self::assertSame(Verifier::PASSED, $verdicts[0]['indication']);
        self::assertNull($verdicts[0]['sub_indication']);
        self::assertSame('CN=Test Officer', $verdicts[0]['signer']['subject']);
        self::assertSame('GOOD', $verdicts[0]['revocation']['status']);
        self::assertSame(hash('sha256', self::pkiFile('crl.der')), $verdicts[0]['crls_used'][0]['sha256']);
        self::assertTrue(Verifier::allPassed($verdicts));

        // ...and INDETERMINATE under the default CAdES baseline, which requires it.
        $verdicts = Verifier::verifyDetached(self::$plainCms, self::$data, self::params());
        self::assertSame(Verifier::INDETERMINATE, $verdicts[0]['indication']);
        self::assertFalse(Verifier::allPassed($verdicts));

        // With -cades it passes the default policy, with DER given as hex too.
        $verdicts = Verifier::verifyDetached(self::$cadesCms, self::$data, [
            'anchors' => [bin2hex(self::pkiFile('root.der'))],
            'crls' => [bin2hex(self::pkiFile('crl.der'))],
        ]);
        self::assertSame(Verifier::PASSED, $verdicts[0]['indication']);
    }

    public function testTamperedDataFails(): void
    {
        foreach (['flipped byte' => self::flip(self::$data, 3), 'one byte more' => self::$data . "\x00", 'empty' => ''] as $what => $tampered) {
            $verdicts = Verifier::verifyDetached(self::$cadesCms, $tampered, self::params());
            self::assertCount(1, $verdicts, $what);
            self::assertContains($verdicts[0]['indication'], [Verifier::FAILED, Verifier::INDETERMINATE], $what);
            self::assertNotSame(Verifier::PASSED, $verdicts[0]['indication'], $what);
            self::assertFalse(Verifier::allPassed($verdicts), $what);
        }
        $verdicts = Verifier::verifyDetached(self::$cadesCms, self::flip(self::$data, 0), self::params());
        self::assertSame(Verifier::FAILED, $verdicts[0]['indication']);
        self::assertSame('HASH_FAILURE', $verdicts[0]['sub_indication']);
    }

    public function testWithoutTheCrlOrTheRightAnchorItIsNotPassed(): void
    {
        $verdicts = Verifier::verifyDetached(self::$cadesCms, self::$data, self::params(['crls' => []]));
        self::assertSame(Verifier::INDETERMINATE, $verdicts[0]['indication']);
        self::assertSame('TRY_LATER', $verdicts[0]['sub_indication']);

        // Trusting the officer's own certificate as the anchor proves nothing.
        $verdicts = Verifier::verifyDetached(self::$cadesCms, self::$data, ['anchors' => [self::pkiFile('officer.pem')]]);
        self::assertNotSame(Verifier::PASSED, $verdicts[0]['indication']);
    }

    public function testATamperedSignatureIsNotPassed(): void
    {
        // The last byte of the DER is the end of the RSA signature value.
        $cms = self::flip(self::$cadesCms, strlen(self::$cadesCms) - 1);
        $verdicts = Verifier::verifyDetached($cms, self::$data, self::params());
        self::assertCount(1, $verdicts);
        self::assertSame(Verifier::FAILED, $verdicts[0]['indication']);
        self::assertSame('SIG_CRYPTO_FAILURE', $verdicts[0]['sub_indication']);
    }

    public function testBadParamsAreRefused(): void
    {
        try {
            Verifier::verifyDetached(self::$cadesCms, self::$data, ['crls' => []]);
            self::fail('params without anchors were accepted');
        } catch (InvalidArgumentException $e) {
            self::assertSame(3, $e->getRvCode());
            self::assertSame('rv_verify_detached', $e->getFunction());
        }
        try {
            Verifier::verifyDetached(self::$cadesCms, self::$data, ['anchors' => ['zz not hex']]);
            self::fail('an anchor neither PEM nor hex was accepted');
        } catch (InvalidArgumentException $e) {
            self::assertSame(4, $e->getRvCode());
        }
        try {
            Verifier::verifyDetached(self::$cadesCms, self::$data, self::params(['policy' => 'lenient']));
            self::fail('an unknown policy was accepted');
        } catch (InvalidArgumentException $e) {
            self::assertSame(4, $e->getRvCode());
        }
    }

    public function testGarbageInsteadOfACmsIsAVerdictNotAnError(): void
    {
        foreach (['garbage' => 'not a CMS at all', 'empty' => ''] as $what => $cms) {
            $verdicts = Verifier::verifyDetached($cms, self::$data, self::params());
            self::assertCount(1, $verdicts, $what);
            self::assertSame(Verifier::INDETERMINATE, $verdicts[0]['indication'], $what);
            self::assertSame('FORMAT_FAILURE', $verdicts[0]['sub_indication'], $what);
            self::assertNull($verdicts[0]['signer'], $what);
        }
    }

    private static function flip(string $bytes, int $at): string
    {
        $bytes[$at] = chr(ord($bytes[$at]) ^ 0x01);
        return $bytes;
    }
}
