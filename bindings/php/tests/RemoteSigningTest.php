<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Exception\NotFoundException;
use ResultsVault\Exception\ProviderBadAnswerException;
use ResultsVault\Exception\ProviderConfigException;
use ResultsVault\Exception\ProviderDeclinedException;
use ResultsVault\Exception\ProviderException;
use ResultsVault\Exception\ProviderPendingException;
use ResultsVault\Exception\ProviderUnreachableException;
use ResultsVault\Vault;

/**
 * Signing through VNPT SmartCA (`rv_vault_sign_remote`, `rv_vault_resume_remote`,
 * `rv_vault_remote_request`, `rv_vault_unfinished_remote_requests`) against a real HTTP peer: tests/mock/smartca-router.php run
 * by PHP's built-in server, whose "HSM" is the real openssl CLI with the test PKI's
 * officer key.
 */
final class RemoteSigningTest extends TestCase
{
    private const SP_PASSWORD = 'sp-secret-7Qx9!';

    /** @var resource|null the `php -S` process */
    private static $server = null;

    private static ?string $state = null;

    private static int $port = 0;

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        self::$state = self::makeTempDir('rv-php-smartca-');
        self::$port = self::freePort();
        $router = __DIR__ . '/mock/smartca-router.php';
        $env = getenv() + [];
        $env['RV_MOCK_STATE'] = self::$state;
        $env['RV_MOCK_PKI'] = static::pki();
        $env['RV_MOCK_SP_PASSWORD'] = self::SP_PASSWORD;
        $log = self::$state . '/server.log';
        $process = proc_open(
            [PHP_BINARY, '-n', '-S', '127.0.0.1:' . self::$port, $router],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']],
            $pipes,
            dirname($router),
            $env,
        );
        self::assertIsResource($process, 'cannot start php -S');
        self::$server = $process;
        $deadline = microtime(true) + 10;
        while (true) {
            $socket = @fsockopen('127.0.0.1', self::$port, $errno, $errstr, 0.2);
            if ($socket !== false) {
                fclose($socket);
                break;
            }
            if (microtime(true) > $deadline || !proc_get_status($process)['running']) {
                self::fail('the SmartCA mock did not start: ' . @file_get_contents($log));
            }
            usleep(50_000);
        }
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$server !== null) {
            proc_terminate(self::$server);
            proc_close(self::$server);
            self::$server = null;
        }
        if (self::$state !== null) {
            self::removeTree(self::$state);
            self::$state = null;
        }
        parent::tearDownAfterClass();
    }

    /** A port nobody listens on now (the kernel's choice). */
    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        self::assertNotFalse($socket, "no free port: {$errstr}");
        $name = (string) stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    /**
     * The SmartCA configuration for a scenario of the mock. The test PKI's officer
     * certificate names no personal ID (`CN=Test Officer`), so the certificate is pinned
     * by its SHA-256 instead of being matched by `user_id`.
     *
     * @return array<string, mixed>
     */
    private static function config(string $scenario, array $overrides = []): array
    {
        return array_replace([
            'base_url' => 'http://127.0.0.1:' . self::$port . '/' . $scenario,
            'sp_id' => 'sp-test',
            'sp_password' => self::SP_PASSWORD,
            'user_id' => '001088012345',
            'answer' => 'raw',
            'timeout_seconds' => 10,
            'certificate_sha256' => hash('sha256', static::pkiFile('officer.der')),
        ], $overrides);
    }

    /** Fast polls: the mock answers at once. */
    private const FAST = ['poll_interval_ms' => 20, 'max_poll_interval_ms' => 50, 'wait_seconds' => 30];

    /**
     * What the mock received for a scenario.
     *
     * @return list<array<string, mixed>>
     */
    private static function requests(string $scenario): array
    {
        $lines = @file(self::$state . '/requests.jsonl', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [];
        $all = array_map(static fn (string $l): array => json_decode($l, true, 512, JSON_THROW_ON_ERROR), $lines);
        return array_values(array_filter($all, static fn (array $r): bool => $r['scenario'] === $scenario));
    }

    private function storedResult(Vault $vault, string $tag): string
    {
        $ingested = $vault->ingest(self::meta(['document_number' => "{$tag}/TLKS", 'dossier_code' => "H01-{$tag}"]), self::pdfBytes($tag));
        return $ingested['record']['result_id'];
    }

    public function testSignRemoteVnptApprovedAfterTwoPolls(): void
    {
        $vault = $this->trustedVault();
        $id = $this->storedResult($vault, 'approve');

        $stored = $vault->signRemote('vnpt-smartca', self::config('approve-after-2'), $id, self::FAST);

        self::assertSame($id, $stored['result_id']);
        self::assertSame('PASSED', $stored['acceptance']['indication']);
        self::assertSame('CN=Test Officer', $stored['acceptance']['signer']['subject']);
        $sessionId = $stored['source']['session_id'];
        self::assertMatchesRegularExpression('/^[0-9A-HJKMNP-TV-Z]{26}$/', $sessionId);
        self::assertSame('COMPLETED', $vault->signingSession($sessionId)['state']);

        // Two polls answered "waiting", the third the signature.
        $request = $vault->remoteRequest($sessionId);
        self::assertSame($sessionId, $request['session_id']);
        self::assertSame('vnpt-smartca', $request['provider']);
        self::assertSame('approved', $request['state']);
        self::assertSame(3, $request['polls']);
        self::assertNull($request['outcome']);
        self::assertStringStartsWith('SCA-', (string) $request['provider_transaction_id']);
        self::assertStringNotContainsString(self::SP_PASSWORD, json_encode($request));

        // The mock was asked to sign exactly the session's signed-attributes digest, once.
        $seen = self::requests('approve-after-2');
        self::assertSame(
            ['/v1/credentials/get_certificate', '/v1/signatures/sign'],
            array_slice(array_column($seen, 'path'), 0, 2),
        );
        $signs = array_values(array_filter($seen, static fn (array $r): bool => $r['path'] === '/v1/signatures/sign'));
        self::assertCount(1, $signs);
        self::assertSame($vault->signingSession($sessionId)['signed_attributes_digest'], $signs[0]['data_to_be_signed']);
        self::assertSame(
            "/v1/signatures/sign/{$request['client_request_id']}/status",
            $seen[2]['path'],
            'polled by the vault\'s own transaction id',
        );

        // Stored once, and the record is now reusable.
        self::assertCount(1, $vault->signatures($id));
        self::assertTrue($vault->isReusable($id));

        // Resuming a completed session gives the same signature, without asking again.
        $polls = count(self::requests('approve-after-2'));
        $again = $vault->resumeRemote('vnpt-smartca', self::config('approve-after-2'), $sessionId, self::FAST);
        self::assertSame($stored['sha256'], $again['sha256']);
        self::assertCount($polls, self::requests('approve-after-2'));
    }

    public function testSignRemoteVnptRejectedOnThePhoneIsDeclinedAndStoresNothing(): void
    {
        $vault = $this->trustedVault();
        $id = $this->storedResult($vault, 'reject');

        try {
            $vault->signRemote('vnpt-smartca', self::config('reject-after-1'), $id, self::FAST);
            self::fail('a rejection must throw');
        } catch (ProviderDeclinedException $e) {
            self::assertSame(21, $e->getRvCode());
            self::assertSame('RV_PROVIDER_DECLINED', $e->getRvName());
            self::assertSame('rv_vault_sign_remote', $e->getFunction());
            self::assertStringContainsString('rejected', $e->getMessage());
            self::assertStringNotContainsString(self::SP_PASSWORD, $e->getMessage());
            $sessionId = $e->getSessionId();
        }
        self::assertNotNull($sessionId, 'the message names the session');

        $request = $vault->remoteRequest($sessionId);
        self::assertSame('rejected', $request['state']);
        self::assertSame(['kind' => 'rejected_by_user'], $request['outcome']);
        self::assertSame(2, $request['polls']);
        self::assertSame('CANCELLED', $vault->signingSession($sessionId)['state']);
        self::assertSame([], $vault->signatures($id));
        self::assertFalse($vault->isReusable($id));

        // The session ended at the provider: resuming says so, and sends nothing.
        $before = count(self::requests('reject-after-1'));
        $this->expectException(ProviderDeclinedException::class);
        try {
            $vault->resumeRemote('vnpt-smartca', self::config('reject-after-1'), $sessionId, self::FAST);
        } finally {
            self::assertCount($before, self::requests('reject-after-1'));
        }
    }

    public function testSignRemoteVnptPendingThenResumed(): void
    {
        $vault = $this->trustedVault($path);
        $id = $this->storedResult($vault, 'pending');
        $scenario = 'approve-after-2-resume';
        self::assertSame([], $vault->unfinishedRemoteRequests());

        try {
            // wait_seconds 0: one poll, "waiting", and the call returns.
            $vault->signRemote('vnpt-smartca', self::config($scenario), $id, ['wait_seconds' => 0] + self::FAST);
            self::fail('the officer has not approved yet');
        } catch (ProviderPendingException $e) {
            self::assertSame(24, $e->getRvCode());
            $sessionId = $e->getSessionId();
            self::assertNotNull($sessionId, $e->getMessage());
            self::assertStringContainsString("signing session {$sessionId}", $e->getMessage());
        }
        $request = $vault->remoteRequest($sessionId);
        self::assertSame('waiting', $request['state']);
        self::assertSame(1, $request['polls']);
        self::assertSame([], $vault->signatures($id));

        self::assertSame([$request], $vault->unfinishedRemoteRequests());

        // A restart: a new handle on the same file finds what to resume, goes on polling,
        // and never sends again.
        $vault->close();
        $reopened = $this->track(Vault::open($path, ['mode' => 'open']));
        $unfinished = $reopened->unfinishedRemoteRequests();
        self::assertCount(1, $unfinished);
        self::assertSame($sessionId, $unfinished[0]['session_id']);
        self::assertSame('vnpt-smartca', $unfinished[0]['provider']);
        self::assertSame('waiting', $unfinished[0]['state']);
        $stored = $reopened->resumeRemote(
            $unfinished[0]['provider'],
            self::config($scenario),
            $unfinished[0]['session_id'],
            self::FAST,
        );
        self::assertSame('PASSED', $stored['acceptance']['indication']);
        self::assertSame($sessionId, $stored['source']['session_id']);
        self::assertSame(3, $reopened->remoteRequest($sessionId)['polls']);
        self::assertSame([], $reopened->unfinishedRemoteRequests(), 'nothing left to resume');
        self::assertCount(1, $reopened->signatures($id));
        $paths = array_column(self::requests($scenario), 'path');
        self::assertCount(1, array_keys($paths, '/v1/signatures/sign'), 'sent once');
        self::assertCount(3, array_filter($paths, static fn (string $p): bool => str_ends_with($p, '/status')));
    }

    public function testSignRemoteVnptBadConfigIsAConfigError(): void
    {
        $vault = $this->trustedVault();
        $id = $this->storedResult($vault, 'config');
        $scenario = 'approve-after-0-config';
        $bad = [
            'no sp_password' => ['vnpt-smartca', array_diff_key(self::config($scenario), ['sp_password' => 0])],
            'plain http off loopback' => ['vnpt-smartca', self::config('x', ['base_url' => 'http://smartca.example/sca/sp769'])],
            'unknown provider' => ['vnpt-smartca-v9', self::config($scenario)],
            'for another provider' => ['vnpt-smartca', self::config($scenario, ['provider' => 'csc'])],
            'a numeric secret' => ['vnpt-smartca', self::config($scenario, ['sp_password' => 73190555])],
            'not JSON' => ['vnpt-smartca', '{"base_url": '],
            'a JSON array' => ['vnpt-smartca', '[1]'],
        ];
        foreach ($bad as $case => [$provider, $config]) {
            try {
                $vault->signRemote($provider, $config, $id, self::FAST);
                self::fail("{$case}: accepted");
            } catch (ProviderConfigException $e) {
                self::assertSame(26, $e->getRvCode(), $case);
                self::assertNull($e->getSessionId(), "{$case}: no session was begun");
                self::assertStringNotContainsString(self::SP_PASSWORD, $e->getMessage(), $case);
                self::assertStringNotContainsString('73190555', $e->getMessage(), $case);
            }
        }
        // Bad options are an argument error, before anything is sent.
        try {
            $vault->signRemote('vnpt-smartca', self::config($scenario), $id, ['wait' => 5]);
            self::fail('an unknown option must be refused');
        } catch (InvalidArgumentException $e) {
            self::assertSame('RV_INVALID_JSON', $e->getRvName());
        }
        self::assertSame([], self::requests($scenario), 'nothing was sent');
        self::assertSame([], $vault->signatures($id));
    }

    public function testSignRemoteVnptWrongCredentialsOrCertificate(): void
    {
        $vault = $this->trustedVault();
        $id = $this->storedResult($vault, 'auth');

        // SmartCA refuses the integrator's password: declined, before any session.
        try {
            $vault->signRemote('vnpt-smartca', self::config('approve-after-0-auth', ['sp_password' => 'wrong']), $id, self::FAST);
            self::fail('wrong credentials must throw');
        } catch (ProviderDeclinedException $e) {
            self::assertStringContainsString('credentials', $e->getMessage());
            self::assertNull($e->getSessionId());
        }

        // Without the pin, the officer's id must be in the certificate's subject: it is not.
        $unpinned = array_diff_key(self::config('approve-after-0-auth'), ['certificate_sha256' => 0]);
        try {
            $vault->signRemote('vnpt-smartca', $unpinned, $id, self::FAST);
            self::fail('a certificate that does not name the officer must be refused');
        } catch (ProviderBadAnswerException $e) {
            self::assertSame(23, $e->getRvCode());
            self::assertStringNotContainsString('001088012345', $e->getMessage(), 'the personal ID is not shown in full');
        }

        // Nobody listens: unreachable.
        $this->expectException(ProviderUnreachableException::class);
        $vault->signRemote('vnpt-smartca', self::config('x', ['base_url' => 'http://127.0.0.1:1']), $id, self::FAST);
    }

    public function testRemoteRequestVnptOfALocalOrUnknownSessionIsNotFound(): void
    {
        $vault = $this->trustedVault();
        $id = $this->storedResult($vault, 'local');
        $local = $vault->beginSigning($id, self::pkiFile('officer.pem'));
        try {
            $vault->remoteRequest($local['session_id']);
            self::fail('a local session has no provider request');
        } catch (NotFoundException $e) {
            self::assertStringContainsString('not sent to a provider', $e->getMessage());
        }
        // Resuming it with a provider: a configuration error (the session is not remote).
        try {
            $vault->resumeRemote('vnpt-smartca', self::config('approve-after-0-local'), $local['session_id'], self::FAST);
            self::fail('a local session cannot be resumed remotely');
        } catch (ProviderException $e) {
            self::assertInstanceOf(ProviderConfigException::class, $e);
        }
        $this->expectException(NotFoundException::class);
        $vault->remoteRequest('01M8442DNE2PJSSAEKS0MKZ3CK');
    }
}
