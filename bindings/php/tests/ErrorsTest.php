<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Exception\ClosedException;
use ResultsVault\Exception\ConflictException;
use ResultsVault\Exception\ContentRefusedException;
use ResultsVault\Exception\FileException;
use ResultsVault\Exception\IntegrityException;
use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Exception\InvalidTransitionException;
use ResultsVault\Exception\NotFoundException;
use ResultsVault\Exception\ResultsVaultException;
use ResultsVault\Exception\ReuseRefusedException;
use ResultsVault\Exception\SessionUnusableException;
use ResultsVault\Exception\SignatureRefusedException;
use ResultsVault\Exception\SigningRequestRefusedException;
use ResultsVault\Exception\TrustRefusedException;
use ResultsVault\RawJson;
use ResultsVault\ResultCode;
use ResultsVault\Vault;

/**
 * Failures: each code becomes its exception class, with its code, its name, the C
 * function and the library's message; and a failed call leaves nothing behind.
 */
final class ErrorsTest extends TestCase
{
    /**
     * Runs `$call`, expecting a failure of this class and code; returns the exception.
     *
     * @param class-string<ResultsVaultException> $class
     */
    private static function expectFailure(string $class, ResultCode $code, callable $call): ResultsVaultException
    {
        try {
            $call();
        } catch (ResultsVaultException $e) {
            self::assertInstanceOf($class, $e, 'the exception is ' . get_class($e) . ': ' . $e->getMessage());
            self::assertSame($code->value, $e->getRvCode(), $e->getMessage());
            self::assertSame($code->value, $e->getCode());
            self::assertSame($code, $e->getResultCode());
            self::assertSame($code->cName(), $e->getRvName());
            return $e;
        }
        self::fail("no {$class} was thrown");
    }

    public function testMalformedJsonIsInvalidJsonAndStoresNothing(): void
    {
        $vault = $this->trustedVault();
        $content = self::pdfBytes('malformed');
        $e = self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidJson,
            static fn () => $vault->ingest(new RawJson('{"dossier_code": "H01", '), $content),
        );
        self::assertSame('rv_vault_ingest', $e->getFunction());
        self::assertStringStartsWith('rv_vault_ingest: meta_json', $e->getMessage());

        // Valid JSON of the wrong shape: the same code.
        $meta = self::meta();
        unset($meta['issuer']);
        $e = self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidJson,
            static fn () => $vault->ingest($meta, $content),
        );
        self::assertStringContainsString('issuer', $e->getMessage());

        // Nothing was stored.
        self::assertSame([], $vault->findByHash(hash('sha256', $content)));
        self::assertSame([], $vault->storageSummary());
        self::assertSame(0, $vault->countReusable(self::query(), self::requester()));
        self::assertTrue($vault->isLogIntact());

        // The same content with good metadata is then stored once.
        $vault->ingest(self::meta(), $content);
        self::assertCount(1, $vault->findByHash(hash('sha256', $content)));
    }

    public function testAnInvalidFieldValueIsInvalidArgument(): void
    {
        $vault = $this->trustedVault();
        $e = self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->ingest(self::meta(['dossier_code' => '']), 'x'),
        );
        self::assertStringContainsString('dossier_code', $e->getMessage());
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->verifyRecord('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'yesterday'),
        );
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->get('not-a-ulid'),
        );
        self::assertSame([], $vault->storageSummary());
    }

    public function testUnknownIdIsNotFound(): void
    {
        $vault = $this->trustedVault();
        $unknown = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
        $e = self::expectFailure(NotFoundException::class, ResultCode::NotFound, static fn () => $vault->get($unknown));
        self::assertSame('rv_vault_get', $e->getFunction());
        self::assertStringContainsString($unknown, $e->getMessage());
        self::expectFailure(NotFoundException::class, ResultCode::NotFound, static fn () => $vault->readContent($unknown));
        self::expectFailure(NotFoundException::class, ResultCode::NotFound, static fn () => $vault->verifyRecord($unknown));
        self::expectFailure(NotFoundException::class, ResultCode::NotFound, static fn () => $vault->isReusable($unknown));
        self::expectFailure(NotFoundException::class, ResultCode::NotFound, static fn () => $vault->signingSession('nope'));
        self::expectFailure(
            NotFoundException::class,
            ResultCode::NotFound,
            static fn () => $vault->keptCrl(str_repeat('ab', 32)),
        );
    }

    public function testStringsThatAreNotUtf8AreInvalidUtf8(): void
    {
        $vault = $this->trustedVault();
        // Refused by the library (a C string argument)...
        $e = self::expectFailure(InvalidArgumentException::class, ResultCode::InvalidUtf8, static fn () => $vault->get("\xff\xfe"));
        self::assertSame('rv_vault_get', $e->getFunction());
        self::assertStringContainsString('UTF-8', $e->getMessage());
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidUtf8,
            static fn () => Vault::open("\xff\xfe.vault"),
        );
        // ...and by json_encode() in the binding (a JSON argument), with the same code.
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidUtf8,
            static fn () => $vault->ingest(self::meta(['document_number' => "\xff\xfe"]), 'x'),
        );
        self::assertSame([], $vault->storageSummary());
    }

    public function testNulBytesInStringArgumentsAreRefusedNotCut(): void
    {
        $vault = $this->trustedVault();
        $id = $vault->ingest(self::meta(), 'x')['record']['result_id'];
        // A C string would end at the NUL and name the stored record: refused instead.
        $e = self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->get($id . "\0junk"),
        );
        self::assertStringContainsString('NUL', $e->getMessage());
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->ingest(new RawJson("{}\0"), 'x'),
        );
        // In JSON a NUL is escaped (\u0000): the library sees the whole value, and
        // refuses it for what it is.
        $e = self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->ingest(self::meta(['document_number' => "13\0TLKS"]), 'y'),
        );
        self::assertStringContainsString('control characters', $e->getMessage());
        self::assertSame(1, $vault->storageSummary()[0]['contents']);
    }

    public function testWrongSignatureIsRefusedAndTheSessionStillCompletes(): void
    {
        $vault = $this->trustedVault();
        $id = $vault->ingest(self::meta(), self::pdfBytes())['record']['result_id'];
        $session = $vault->beginSigning($id, self::pkiFile('officer.der'));
        $good = self::remoteSign($session);

        // A flipped bit, a signature over other bytes, garbage, nothing.
        $flipped = $good;
        $flipped[10] = chr(ord($flipped[10]) ^ 0x01);
        openssl_sign('other bytes', $other, self::pkiFile('officer.key'), OPENSSL_ALGO_SHA256);
        foreach (['flipped' => $flipped, 'other' => $other, 'garbage' => "\x00\x01\x02", 'empty' => ''] as $what => $bad) {
            $e = self::expectFailure(
                SignatureRefusedException::class,
                ResultCode::SignatureRefused,
                static fn () => $vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', $bad),
            );
            self::assertSame('rv_vault_complete_signing_raw', $e->getFunction(), $what);
            self::assertSame('OPEN', $vault->signingSession($session['session_id'])['state'], $what);
            self::assertSame([], $vault->signatures($id), $what);
            self::assertFalse($vault->isReusable($id), $what);
        }
        // An unknown algorithm name is an argument error.
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->completeSigningRaw($session['session_id'], 'RSA-SHA1', $good),
        );

        // The right reply still completes the session.
        $stored = $vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', $good);
        self::assertSame('PASSED', $stored['acceptance']['indication']);
        self::assertSame('COMPLETED', $vault->signingSession($session['session_id'])['state']);
        self::assertCount(1, $vault->signatures($id));
        self::assertTrue($vault->isReusable($id));
    }

    public function testCancelledSessionIsUnusable(): void
    {
        $vault = $this->trustedVault();
        $id = $vault->ingest(self::meta(), 'x')['record']['result_id'];
        $session = $vault->beginSigning($id, self::pkiFile('officer.pem'));
        $cancelled = $vault->cancelSigning($session['session_id']);
        self::assertSame('CANCELLED', $cancelled['state']);
        self::expectFailure(
            SessionUnusableException::class,
            ResultCode::SessionUnusable,
            static fn () => $vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', self::remoteSign($session)),
        );
        self::assertSame([], $vault->signatures($id));
    }

    public function testSigningRequestAndTrustRefusals(): void
    {
        $path = $this->tempDir() . '/untrusted.vault';
        $vault = $this->track(Vault::open($path));
        $id = $vault->ingest(self::meta(), 'x')['record']['result_id'];

        // No anchor yet: the signer's chain cannot be built.
        self::expectFailure(
            SigningRequestRefusedException::class,
            ResultCode::SigningRequestRefused,
            static fn () => $vault->beginSigning($id, self::pkiFile('officer.pem')),
        );
        // A CRL whose issuer is not in the store; an end-entity certificate as anchor.
        self::expectFailure(TrustRefusedException::class, ResultCode::TrustRefused, static fn () => $vault->addCrl(self::pkiFile('crl.pem')));
        self::expectFailure(
            TrustRefusedException::class,
            ResultCode::TrustRefused,
            static fn () => $vault->addTrustAnchor(self::pkiFile('officer.der')),
        );
        self::assertSame([], $vault->trustItems());
        // Bytes that are no certificate at all.
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->addTrustAnchor('not a certificate'),
        );
        self::expectFailure(InvalidArgumentException::class, ResultCode::InvalidArgument, static fn () => $vault->addTrustAnchor(''));

        $vault->addTrustAnchor(self::pkiFile('root.der'));
        // The root CA itself cannot be the signer.
        self::expectFailure(
            SigningRequestRefusedException::class,
            ResultCode::SigningRequestRefused,
            static fn () => $vault->beginSigning($id, self::pkiFile('root.pem')),
        );
        self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidArgument,
            static fn () => $vault->beginSigning($id, self::pkiFile('officer.pem'), 'MD5'),
        );
    }

    public function testConflictTransitionContentAndReuseRefusals(): void
    {
        $vault = $this->trustedVault();
        $id = $vault->ingest(self::meta(), 'first')['record']['result_id'];
        $e = self::expectFailure(ConflictException::class, ResultCode::Conflict, static fn () => $vault->ingest(self::meta(), 'second'));
        self::assertStringContainsString($id, $e->getMessage());

        self::expectFailure(
            ContentRefusedException::class,
            ResultCode::ContentRefused,
            static fn () => $vault->ingest(self::meta(['document_number' => '99/TLKS']), ''),
        );

        $change = ['reason' => 'nhầm', 'decision_ref' => 'QĐ-1', 'at' => self::now(), 'by' => 'officer'];
        $vault->revoke($id, $change);
        self::expectFailure(
            InvalidTransitionException::class,
            ResultCode::InvalidTransition,
            static fn () => $vault->revoke($id, $change),
        );

        $requester = self::requester();
        $requester['purpose'] = '';
        self::expectFailure(
            ReuseRefusedException::class,
            ResultCode::ReuseRefused,
            static fn () => $vault->findReusable(self::query(), $requester),
        );
        // No reuse was recorded.
        self::assertSame(['ingest', 'revoke'], array_column($vault->history($id), 'kind'));
    }

    public function testUseAfterCloseIsClosed(): void
    {
        $vault = $this->trustedVault();
        $id = $vault->ingest(self::meta(), 'x')['record']['result_id'];
        $vault->close();
        self::assertTrue($vault->isClosed());
        $e = self::expectFailure(ClosedException::class, ResultCode::Closed, static fn () => $vault->get($id));
        self::assertSame('rv_vault_get', $e->getFunction());
        self::expectFailure(ClosedException::class, ResultCode::Closed, static fn () => $vault->path());
        self::expectFailure(ClosedException::class, ResultCode::Closed, static fn () => $vault->ingest(self::meta(), 'y'));
        self::expectFailure(ClosedException::class, ResultCode::Closed, static fn () => $vault->isReusable($id));
        self::expectFailure(ClosedException::class, ResultCode::Closed, static fn () => $vault->countReusable(self::query(), self::requester()));
        self::expectFailure(ClosedException::class, ResultCode::Closed, static fn () => $vault->readContent($id));
        self::expectFailure(ClosedException::class, ResultCode::Closed, static fn () => $vault->addTrustAnchor(self::pkiFile('root.pem')));
        // Closing again does nothing.
        $vault->close();
        self::assertTrue($vault->isClosed());
    }

    public function testFileFailures(): void
    {
        $dir = $this->tempDir();
        self::expectFailure(FileException::class, ResultCode::File, static fn () => Vault::open("{$dir}/missing.vault", ['mode' => 'open']));
        self::assertFileDoesNotExist("{$dir}/missing.vault");

        $this->track(Vault::open("{$dir}/a.vault"))->close();
        self::expectFailure(FileException::class, ResultCode::File, static fn () => Vault::open("{$dir}/a.vault", ['mode' => 'create']));

        file_put_contents("{$dir}/notes.txt", str_repeat("not a vault\n", 500));
        self::expectFailure(FileException::class, ResultCode::File, static fn () => Vault::open("{$dir}/notes.txt"));
        self::assertSame(str_repeat("not a vault\n", 500), file_get_contents("{$dir}/notes.txt"), 'left as it was');

        $e = self::expectFailure(
            InvalidArgumentException::class,
            ResultCode::InvalidJson,
            static fn () => Vault::open("{$dir}/b.vault", ['no_such_option' => true]),
        );
        self::assertStringContainsString('no_such_option', $e->getMessage());
    }

    public function testTamperedContentIsAnIntegrityFailure(): void
    {
        if (!is_executable('/usr/bin/sqlite3') && trim((string) shell_exec('command -v sqlite3')) === '') {
            self::markTestSkipped('the sqlite3 CLI is needed to edit the file behind the vault\'s back');
        }
        $vault = $this->trustedVault($path);
        $content = self::pdfBytes('tamper');
        $id = $vault->ingest(self::meta(), $content)['record']['result_id'];
        self::signInTwoPhases($vault, $id);
        self::assertTrue($vault->isReusable($id));
        $vault->close();

        // Edit the stored bytes behind the vault's back (this relies on the storage's
        // table `contents`: the raw codec keeps the bytes as they are).
        self::runCommand(['sqlite3', $path, "UPDATE contents SET data = X'" . bin2hex(strrev($content)) . "';"]);

        $vault = $this->track(Vault::open($path, ['mode' => 'open']));
        $e = self::expectFailure(IntegrityException::class, ResultCode::Integrity, static fn () => $vault->readContent($id));
        self::assertSame('rv_vault_read_content', $e->getFunction());
        self::assertSame([$id], $vault->verifyContents());
        $verdict = $vault->verifyRecord($id);
        self::assertFalse($verdict['integrity']);
        self::assertFalse($verdict['reusable']);
        self::assertFalse($vault->isReusable($id));
    }
}
