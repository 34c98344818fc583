<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Vault;

/**
 * What the tests share: a throwaway PKI (made once per test class with
 * bindings/testdata/make-test-pki.sh and the real openssl), temporary directories,
 * record metadata, reuse queries, and the "remote signer" played by openssl_sign().
 */
abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    public const SUBJECT_ID = '001203004567';

    /** @var string|null the PKI of the running test class */
    protected static ?string $pki = null;

    /** @var list<string> directories to remove after each test */
    private array $tempDirs = [];

    /** @var list<Vault> vaults to release after each test */
    private array $vaults = [];

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        static::$pki = null;
    }

    public static function tearDownAfterClass(): void
    {
        if (static::$pki !== null) {
            self::removeTree(dirname(static::$pki));
            static::$pki = null;
        }
        parent::tearDownAfterClass();
    }

    protected function tearDown(): void
    {
        foreach ($this->vaults as $vault) {
            if (!$vault->isClosed()) {
                $vault->close();
            }
        }
        $this->vaults = [];
        foreach ($this->tempDirs as $dir) {
            self::removeTree($dir);
        }
        $this->tempDirs = [];
        parent::tearDown();
    }

    /**
     * The test PKI's directory (root.pem/.der, officer.pem/.der, officer.key, crl.pem/.der).
     */
    protected static function pki(): string
    {
        if (static::$pki === null) {
            $root = self::makeTempDir('rv-php-pki-');
            // Removed after the class; also if the run dies before that.
            register_shutdown_function(static fn () => self::removeTree($root));
            $dir = $root . '/pki';
            $script = dirname(__DIR__, 2) . '/testdata/make-test-pki.sh';
            self::runCommand(['bash', $script, $dir]);
            static::$pki = $dir;
        }
        return static::$pki;
    }

    protected static function pkiFile(string $name): string
    {
        $bytes = file_get_contents(static::pki() . '/' . $name);
        self::assertIsString($bytes, "cannot read the test PKI's {$name}");
        return $bytes;
    }

    /**
     * A new temporary directory, removed after the test.
     */
    protected function tempDir(): string
    {
        $dir = self::makeTempDir('rv-php-');
        $this->tempDirs[] = $dir;
        return $dir;
    }

    /**
     * A new vault in a new temporary directory, trusting the test root and its CRL.
     */
    protected function trustedVault(?string &$path = null): Vault
    {
        $path = $this->tempDir() . '/results.vault';
        $vault = $this->track(Vault::open($path, ['mode' => 'create', 'actor' => 'php-test']));
        $vault->addTrustAnchor(static::pkiFile('root.pem'));
        $vault->addCrl(static::pkiFile('crl.der'));
        return $vault;
    }

    /**
     * Closes the vault after the test (unless the test did).
     */
    protected function track(Vault $vault): Vault
    {
        $this->vaults[] = $vault;
        return $vault;
    }

    /**
     * A valid ingest metadata object; `$overrides` replaces top-level fields.
     *
     * @param array<string, mixed> $overrides
     * @return array<string, mixed>
     */
    protected static function meta(array $overrides = []): array
    {
        return array_replace([
            'dossier_code' => 'H01.01-261101-0001',
            'procedure_code' => '1.000466',
            'document_type' => 'birth-extract',
            'document_number' => '12/TLKS',
            'issuer' => ['agency_code' => 'G06.01', 'agency_name' => 'UBND phường Bến Nghé'],
            'subject' => ['kind' => 'citizen', 'id' => self::SUBJECT_ID, 'name' => 'Nguyễn Văn An'],
            'issued_at' => '2026-11-01',
            'valid_from' => '2026-11-01',
            'media_type' => 'application/pdf',
            'file_name' => 'trich-luc.pdf',
            'provenance' => ['origin' => 'born_digital'],
        ], $overrides);
    }

    /**
     * Binary content holding NUL bytes, bytes that are not UTF-8 and every byte value.
     */
    protected static function pdfBytes(string $tag = ''): string
    {
        return "%PDF-1.7\n\x00\x01\x02\xff\xfe\x00" . $tag . implode('', array_map('chr', range(0, 255))) . "\n%%EOF\x00";
    }

    /**
     * @return array<string, string>
     */
    protected static function query(string $documentType = 'birth-extract'): array
    {
        return [
            'subject_kind' => 'citizen',
            'subject_id' => self::SUBJECT_ID,
            'document_type' => $documentType,
            'at' => self::now(),
        ];
    }

    /**
     * @return array<string, string>
     */
    protected static function requester(): array
    {
        return [
            'agency_code' => 'G01.02',
            'procedure_code' => '2.000123',
            'dossier_code' => 'H02-0001',
            'purpose' => 'xác minh',
        ];
    }

    protected static function now(): string
    {
        return gmdate('Y-m-d\TH:i:s\Z');
    }

    /**
     * The remote signer: RSA PKCS#1 v1.5 with SHA-256 over the session's DER
     * signed attributes, with the officer's key.
     *
     * @param array<string, mixed> $session
     */
    protected static function remoteSign(array $session): string
    {
        $ok = openssl_sign(
            hex2bin($session['signed_attributes']),
            $signature,
            static::pkiFile('officer.key'),
            OPENSSL_ALGO_SHA256,
        );
        self::assertTrue($ok, 'openssl_sign failed');
        return $signature;
    }

    /**
     * Signs a stored result in two phases, as a portal does.
     *
     * @return array<string, mixed> the stored signature
     */
    protected static function signInTwoPhases(Vault $vault, string $id): array
    {
        $session = $vault->beginSigning($id, static::pkiFile('officer.pem'), 'SHA-256');
        return $vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', static::remoteSign($session));
    }

    /**
     * Runs a command; fails the test if it fails.
     *
     * @param list<string> $command
     */
    protected static function runCommand(array $command): string
    {
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        self::assertIsResource($process, 'cannot run ' . $command[0]);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $rc = proc_close($process);
        self::assertSame(0, $rc, implode(' ', $command) . " failed ({$rc}): {$err}");
        return (string) $out;
    }

    protected static function makeTempDir(string $prefix): string
    {
        $dir = sys_get_temp_dir() . '/' . $prefix . bin2hex(random_bytes(6));
        if (!mkdir($dir, 0700, true) && !is_dir($dir)) {
            throw new \RuntimeException("cannot make {$dir}");
        }
        return $dir;
    }

    protected static function removeTree(string $dir): void
    {
        if (!is_dir($dir)) {
            return;
        }
        $items = new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS),
            \RecursiveIteratorIterator::CHILD_FIRST,
        );
        foreach ($items as $item) {
            $item->isDir() && !$item->isLink() ? rmdir($item->getPathname()) : unlink($item->getPathname());
        }
        rmdir($dir);
    }
}

