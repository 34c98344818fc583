<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Vault;
use ResultsVault\Verifier;

/**
 * The whole flow of a portal: trust, ingest, two-phase signing, verification, reuse,
 * revocation, the audit log, and the file read again by a new handle.
 */
final class FlowTest extends TestCase
{
    public function testTheWholeFlow(): void
    {
        $vault = $this->trustedVault($path);
        self::assertSame($path, $vault->path());

        // Trust: the root and its CRL are in the store.
        $kinds = array_column($vault->trustItems(), 'kind');
        sort($kinds);
        self::assertSame(['anchor', 'crl'], $kinds);

        // Ingest binary content.
        $content = self::pdfBytes('flow');
        $ingested = $vault->ingest(self::meta(), $content);
        self::assertTrue($ingested['created']);
        $record = $ingested['record'];
        $id = $record['result_id'];
        self::assertMatchesRegularExpression('/^[0-9A-HJKMNP-TV-Z]{26}$/', $id);
        self::assertSame('Nguyễn Văn An', $record['subject']['name']);
        self::assertSame('UBND phường Bến Nghé', $record['issuer']['agency_name']);
        self::assertSame(hash('sha256', $content), $record['content']['sha256']);
        self::assertSame(strlen($content), $record['content']['size']);
        self::assertSame('ACTIVE', $record['status']['state']);

        // Ingesting the same result again returns it as it was.
        $again = $vault->ingest(self::meta(), $content);
        self::assertFalse($again['created']);
        self::assertSame($id, $again['record']['result_id']);

        // The content comes back byte for byte, NULs and all.
        $read = $vault->readContent($id);
        self::assertSame(strlen($content), strlen($read));
        self::assertSame(bin2hex($content), bin2hex($read));

        // Not signed yet: not reusable.
        self::assertFalse($vault->isReusable($id));
        $unsigned = $vault->verifyRecord($id);
        self::assertFalse($unsigned['reusable']);
        self::assertNotEmpty($unsigned['reasons']);

        // Phase 1: the vault prepares what the remote signer signs.
        $session = $vault->beginSigning($id, self::pkiFile('officer.pem'));
        self::assertSame($id, $session['result_id']);
        self::assertSame('OPEN', $session['state']);
        self::assertSame('SHA-256', $session['digest_algorithm']);
        self::assertSame(
            $session['signed_attributes_digest'],
            hash('sha256', hex2bin($session['signed_attributes'])),
            'signed_attributes_digest is the SHA-256 of signed_attributes',
        );
        self::assertSame($session, $vault->signingSession($session['session_id']));

        // Phase 2: the remote signer answers with a raw RSA signature.
        $signature = self::remoteSign($session);
        $stored = $vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', $signature);
        self::assertSame($id, $stored['result_id']);
        self::assertSame('PASSED', $stored['acceptance']['indication']);
        self::assertSame('CN=Test Officer', $stored['acceptance']['signer']['subject']);
        self::assertSame('COMPLETED', $vault->signingSession($session['session_id'])['state']);

        // The same reply again returns the same signature, not a second one.
        $replay = $vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', $signature);
        self::assertSame($stored['sha256'], $replay['sha256']);
        $signatures = $vault->signatures($id);
        self::assertCount(1, $signatures);
        self::assertSame($stored['sha256'], $signatures[0]['sha256']);

        // The stored CMS verifies elsewhere too, over the record's envelope.
        $envelope = $vault->envelope($id);
        self::assertSame(hex2bin($session['envelope_digest']), hash('sha256', $envelope, true));
        $verdicts = Verifier::verifyDetached(hex2bin($stored['cms']), $envelope, $vault->trustMaterial());
        self::assertTrue(Verifier::allPassed($verdicts));

        // Verified: reusable, both ways.
        self::assertTrue($vault->isReusable($id));
        $verdict = $vault->verifyRecord($id);
        self::assertTrue($verdict['reusable']);
        self::assertSame($id, $verdict['result_id']);
        self::assertSame([], $verdict['reasons']);
        self::assertTrue($verdict['integrity']);
        self::assertSame('ACTIVE', $verdict['status']);
        self::assertCount(1, $verdict['signatures']);
        self::assertSame('PASSED', $verdict['signatures'][0]['verdict']['indication']);
        self::assertTrue($vault->isReusable($id, new \DateTimeImmutable('now', new \DateTimeZone('Asia/Ho_Chi_Minh'))));

        // The verdict is kept as evidence with its signature.
        $checks = $vault->signatureChecks($id);
        self::assertCount(1, $checks);
        self::assertSame('PASSED', $checks[0]['indication']);

        // The reuse request hands the result out, with its verdict.
        $reuse = $vault->findReusable(self::query(), self::requester());
        self::assertCount(1, $reuse['results']);
        self::assertSame($id, $reuse['results'][0]['result_id']);
        self::assertCount(1, $reuse['verdicts']);
        self::assertSame($id, $reuse['verdicts'][0]['result_id']);
        self::assertTrue($reuse['verdicts'][0]['reusable']);
        self::assertSame([], $reuse['excluded']);
        self::assertSame(1, $vault->countReusable(self::query(), self::requester()));
        // Another document type of the same citizen: nothing.
        self::assertSame(0, $vault->countReusable(self::query('marriage-certificate'), self::requester()));

        // The reuses are in the record's history, with the requester.
        $history = $vault->history($id);
        self::assertSame(['ingest', 'sign', 'reuse', 'reuse'], array_column($history, 'kind'));
        self::assertSame('G01.02', $history[2]['details']['agency_code']);
        self::assertSame('xác minh', $history[2]['details']['purpose']);
        self::assertSame($history[2]['hash'], $history[3]['prev_hash']);

        // Revocation: no longer reusable, and excluded with its reason.
        $revoked = $vault->revoke($id, [
            'reason' => 'cấp sai thông tin',
            'decision_ref' => 'QĐ-123/2026',
            'at' => self::now(),
            'by' => 'officer-7',
        ]);
        self::assertSame('REVOKED', $revoked['status']['state']);
        $last = $vault->history($id)[4];
        self::assertSame('revoke', $last['kind']);
        self::assertSame('officer-7', $last['actor']);
        self::assertSame('cấp sai thông tin', $last['details']['reason']);
        self::assertFalse($vault->isReusable($id));
        $after = $vault->verifyRecord($id);
        self::assertFalse($after['reusable']);
        self::assertSame('REVOKED', $after['status']);
        $reuse = $vault->findReusable(self::query(), self::requester());
        self::assertSame([], $reuse['results']);
        self::assertSame([['result_id' => $id, 'reason' => 'REVOKED']], $reuse['excluded']);
        self::assertSame(0, $vault->countReusable(self::query(), self::requester()));

        // The audit log is intact, with and without a head kept outside.
        $head = $vault->logHead();
        self::assertIsArray($head);
        self::assertIsInt($head['seq']);
        self::assertMatchesRegularExpression('/^[0-9a-f]{64}$/', $head['hash']);
        $report = $vault->verifyLog();
        self::assertSame(0, $report['problem_count']);
        self::assertSame([], $report['problems']);
        self::assertGreaterThanOrEqual(1, $report['records']);
        self::assertTrue($vault->isLogIntact());
        self::assertTrue($vault->isLogIntact($head));
        self::assertSame(0, $vault->verifyLog($head)['problem_count']);
        // The audit re-hashes every content, unless asked not to.
        self::assertGreaterThanOrEqual(1, $report['contents']);
        $fast = $vault->verifyLog($head, skipContents: true);
        self::assertSame([0, 0], [$fast['contents'], $fast['problem_count']]);
        self::assertSame([], $vault->verifyContents());
        self::assertSame([], $vault->checkStorage());

        $vault->close();
        self::assertTrue($vault->isClosed());

        // A new handle on the same file sees everything.
        $reopened = $this->track(Vault::open($path, ['mode' => 'open']));
        $record = $reopened->get($id);
        self::assertSame($id, $record['result_id']);
        self::assertSame('REVOKED', $record['status']['state']);
        self::assertSame(bin2hex($content), bin2hex($reopened->readContent($id)));
        self::assertCount(1, $reopened->signatures($id));
        self::assertSame($head, $reopened->logHead());
        self::assertTrue($reopened->isLogIntact($head));
    }
}
