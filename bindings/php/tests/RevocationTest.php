<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Exception\TrustRefusedException;

/**
 * OCSP responses in the trust store (`addOcspResponse`) and the refresh of the revocation
 * data from the network (`refreshRevocation`). Deterministic: the only network is a port
 * on 127.0.0.1 where nobody listens.
 */
final class RevocationTest extends TestCase
{
    public function testAnOcspResponseOfTheRootIsKeptAndAForgedOneRefused(): void
    {
        $vault = $this->trustedVault();
        $response = self::ocspResponse('officer.pem');
        $item = $vault->addOcspResponse($response);
        self::assertSame('ocsp', $item['kind']);
        self::assertSame(hash('sha256', $response), $item['sha256']);
        self::assertSame('CN=Test National Root CA', $item['name']);
        self::assertSame($item, $vault->addOcspResponse($response), 'adding it twice returns it');
        self::assertContains(
            ['ocsp', $item['sha256']],
            array_map(static fn (array $i) => [$i['kind'], $i['sha256']], $vault->trustItems()),
        );

        // A CRL is no OCSP response, and half a response is none either.
        foreach ([static::pkiFile('crl.der'), substr($response, 0, intdiv(strlen($response), 2))] as $bytes) {
            $before = $vault->logHead();
            try {
                $vault->addOcspResponse($bytes);
                self::fail('accepted as an OCSP response');
            } catch (TrustRefusedException | InvalidArgumentException $e) {
                self::assertContains($e->getRvCode(), [4, 10]);
            }
            self::assertSame($before, $vault->logHead(), 'nothing was written');
        }
    }

    public function testARefreshReportsEverySourceAndAnUnreachableOneAsFailed(): void
    {
        $vault = $this->trustedVault();
        // Nothing to fetch yet: the root names no distribution point.
        self::assertSame(['sources' => []], $vault->refreshRevocation());

        // An officer whose certificate names a distribution point and a responder on a
        // port of 127.0.0.1 where nobody listens.
        $port = self::closedPort();
        $cert = self::issueWithUrls('refresh-officer', "http://127.0.0.1:{$port}/root.crl", "http://127.0.0.1:{$port}/");
        $id = $vault->ingest(self::meta(['document_number' => 'R/1']), self::pdfBytes('refresh'))['record']['result_id'];
        $session = $vault->beginSigning($id, $cert, 'SHA-256');
        $ok = openssl_sign(
            hex2bin($session['signed_attributes']),
            $signature,
            (string) file_get_contents(static::pki() . '/refresh-officer.key'),
            OPENSSL_ALGO_SHA256,
        );
        self::assertTrue($ok);
        $vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', $signature);

        $before = $vault->trustItems();
        $report = $vault->refreshRevocation(['timeout_secs' => 5]);
        self::assertCount(2, $report['sources']);
        [$crl, $ocsp] = $report['sources'];
        self::assertSame(['crl', "http://127.0.0.1:{$port}/root.crl", 'CN=refresh-officer', 'failed'],
            [$crl['kind'], $crl['url'], $crl['about'], $crl['outcome']]);
        self::assertSame(['ocsp', "http://127.0.0.1:{$port}/", 'failed'], [$ocsp['kind'], $ocsp['url'], $ocsp['outcome']]);
        self::assertStringStartsWith('network error', $crl['reason']);
        self::assertSame($before, $vault->trustItems(), 'nothing was added');

        // Options out of range or unknown are refused before anything is fetched.
        foreach ([[['timeout_secs' => 0], 4], [['timeout_secs' => 601], 4], [['retries' => 3], 3]] as [$options, $code]) {
            try {
                $vault->refreshRevocation($options);
                self::fail('accepted ' . json_encode($options));
            } catch (InvalidArgumentException $e) {
                self::assertSame($code, $e->getRvCode(), $e->getMessage());
            }
        }
    }

    /**
     * An OCSP response about `$cert` from the root, made offline by openssl (no nonce).
     */
    private static function ocspResponse(string $cert): string
    {
        $dir = static::pki();
        self::runCommand(['openssl', 'ocsp', '-issuer', "{$dir}/root.pem", '-cert', "{$dir}/{$cert}",
            '-no_nonce', '-reqout', "{$dir}/ocsp-req.der"]);
        self::runCommand(['openssl', 'ocsp', '-index', "{$dir}/index.txt", '-rsigner', "{$dir}/root.pem",
            '-rkey', "{$dir}/root.key", '-CA', "{$dir}/root.pem", '-reqin', "{$dir}/ocsp-req.der",
            '-respout', "{$dir}/ocsp-resp.der", '-ndays', '7']);
        return (string) file_get_contents("{$dir}/ocsp-resp.der");
    }

    /**
     * Issues `{$name}.pem` (and `{$name}.key`) under the root, naming a CRL distribution
     * point and an OCSP responder; returns the certificate (PEM).
     */
    private static function issueWithUrls(string $name, string $crlUrl, string $ocspUrl): string
    {
        $dir = static::pki();
        file_put_contents("{$dir}/{$name}.ext", "[ x ]\n"
            . "basicConstraints = critical, CA:FALSE\n"
            . "keyUsage = critical, digitalSignature, nonRepudiation\n"
            . "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
            . "crlDistributionPoints = URI:{$crlUrl}\nauthorityInfoAccess = OCSP;URI:{$ocspUrl}\n");
        self::runCommand(['openssl', 'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', "{$dir}/{$name}.key",
            '-out', "{$dir}/{$name}.csr", '-subj', "/CN={$name}", '-config', "{$dir}/ca.cnf"]);
        $ca = ['openssl', 'ca', '-batch', '-config', "{$dir}/ca.cnf", '-cert', "{$dir}/root.pem",
            '-keyfile', "{$dir}/root.key", '-in', "{$dir}/{$name}.csr", '-out', "{$dir}/{$name}.pem",
            '-extfile', "{$dir}/{$name}.ext", '-extensions', 'x', '-notext'];
        // `openssl ca` reads `dir = .` from its configuration: run it in the PKI folder.
        $cwd = (string) getcwd();
        chdir($dir);
        try {
            self::runCommand($ca);
        } finally {
            chdir($cwd);
        }
        return (string) file_get_contents("{$dir}/{$name}.pem");
    }

    /**
     * A port of 127.0.0.1 where nobody listens (bound, then released).
     */
    private static function closedPort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        self::assertIsResource($server, $errstr);
        $name = (string) stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
