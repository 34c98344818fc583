<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Exception\ConflictException;
use ResultsVault\Exception\ContentRefusedException;
use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Library;
use ResultsVault\RawJson;
use ResultsVault\Vault;

/**
 * The rest of the vault's methods, each checked against values it must return.
 */
final class VaultApiTest extends TestCase
{
    public function testIngestBatchIsInOrderAndAllOrNothing(): void
    {
        $vault = $this->trustedVault();
        $metas = [
            self::meta(['document_number' => '1/TLKS']),
            self::meta(['document_number' => '2/TLKS', 'document_type' => 'marriage-certificate']),
            self::meta(['document_number' => '3/TLKS', 'valid_until' => '2031-11-01', 'extra' => ['note' => 'bản sao']]),
        ];
        $contents = ["one\0", "two\xff", str_repeat("\0", 1000)];
        $out = $vault->ingestBatch($metas, $contents);
        self::assertCount(3, $out);
        foreach ($out as $i => $item) {
            self::assertTrue($item['created']);
            self::assertSame($metas[$i]['document_number'], $item['record']['document_number']);
            self::assertSame(hash('sha256', $contents[$i]), $item['record']['content']['sha256']);
            self::assertSame($contents[$i], $vault->readContent($item['record']['result_id']));
        }
        self::assertSame('2031-11-01', $out[2]['record']['valid_until']);
        self::assertSame(['note' => 'bản sao'], $out[2]['record']['extra']);

        // One bad item (an empty content, a conflicting number): nothing of the batch is stored.
        $before = $vault->storageSummary();
        try {
            $vault->ingestBatch(
                [self::meta(['document_number' => '4/TLKS']), self::meta(['document_number' => '5/TLKS'])],
                ['four', ''],
            );
            self::fail('an empty content was accepted');
        } catch (ContentRefusedException) {
        }
        try {
            $vault->ingestBatch(
                [self::meta(['document_number' => '6/TLKS']), self::meta(['document_number' => '1/TLKS'])],
                ['six', 'not one'],
            );
            self::fail('a conflict was accepted');
        } catch (ConflictException) {
        }
        self::assertSame($before, $vault->storageSummary());
        self::assertSame([], $vault->findByHash(hash('sha256', 'four')));
        self::assertSame([], $vault->findByHash(hash('sha256', 'six')));

        // Lists of different lengths are refused before the call; an empty batch is fine.
        try {
            $vault->ingestBatch([self::meta()], []);
            self::fail('lists of different lengths were accepted');
        } catch (InvalidArgumentException $e) {
            self::assertSame(4, $e->getRvCode());
        }
        self::assertSame([], $vault->ingestBatch([], []));
    }

    public function testFindByHashEnvelopeAndHistory(): void
    {
        $vault = $this->trustedVault();
        $content = self::pdfBytes('hash');
        $id = $vault->ingest(self::meta(), $content)['record']['result_id'];
        $found = $vault->findByHash(hash('sha256', $content));
        self::assertSame([$id], array_column($found, 'result_id'));
        self::assertSame([], $vault->findByHash(hash('sha256', 'nothing')));

        $envelope = $vault->envelope($id);
        $decoded = json_decode($envelope, true, 512, JSON_THROW_ON_ERROR);
        self::assertSame('results-vault/envelope/v1', $decoded['format']);
        self::assertSame(hash('sha256', $content), $decoded['content']['sha256']);
        self::assertSame(strlen($content), $decoded['content']['size']);
        self::assertSame('12/TLKS', $decoded['document_number']);
        self::assertSame(self::SUBJECT_ID, $decoded['subject']['id']);
        self::assertSame(
            json_encode($decoded, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR),
            $envelope,
            'RFC 8785: sorted keys, no spaces',
        );
        self::assertSame($envelope, $vault->envelope($id), 'canonical: the same bytes every time');

        $history = $vault->history($id);
        self::assertCount(1, $history);
        self::assertSame('ingest', $history[0]['kind']);
        self::assertSame('php-test', $history[0]['actor']);
        self::assertSame(hash('sha256', $content), $history[0]['details']['sha256']);
    }

    public function testSupersedeAndStats(): void
    {
        $vault = $this->trustedVault();
        $old = $vault->ingest(self::meta(), 'old')['record']['result_id'];
        $new = $vault->ingest(self::meta(['document_number' => '12/TLKS-2']), 'new')['record']['result_id'];
        $change = ['reason' => 'cấp lại', 'decision_ref' => 'QĐ-9', 'at' => self::now(), 'by' => 'officer'];
        $record = $vault->supersede($old, $new, $change);
        self::assertSame($old, $record['result_id']);
        self::assertSame('SUPERSEDED', $record['status']['state']);
        self::assertSame('ACTIVE', $vault->get($new)['status']['state']);

        $from = new \DateTimeImmutable('-1 day');
        $to = new \DateTimeImmutable('+1 day');
        $stats = $vault->stats($from, $to);
        $byAgency = array_column($stats, null, 'agency_code');
        self::assertArrayHasKey('G06.01', $byAgency);
        self::assertSame(2, $byAgency['G06.01']['results_ingested']);
        self::assertSame(1, $byAgency['G06.01']['dossiers']);
        // An interval before anything was stored.
        $empty = $vault->stats('2020-01-01T00:00:00Z', '2020-02-01T00:00:00+07:00');
        foreach ($empty as $row) {
            self::assertSame(0, $row['results_ingested']);
        }
    }

    public function testTrustStoreItemsMaterialRemovalAndKeptCrl(): void
    {
        $vault = $this->trustedVault();
        $items = $vault->trustItems();
        self::assertCount(2, $items);
        $byKind = array_column($items, null, 'kind');
        self::assertSame(hash('sha256', self::pkiFile('root.der')), $byKind['anchor']['sha256']);
        self::assertSame(hash('sha256', self::pkiFile('crl.der')), $byKind['crl']['sha256']);
        self::assertSame('CN=Test National Root CA', $byKind['anchor']['name']);

        // Adding the same anchor again (PEM or DER) returns the stored item.
        self::assertSame($byKind['anchor'], $vault->addTrustAnchor(self::pkiFile('root.der')));
        self::assertCount(2, $vault->trustItems());

        $material = $vault->trustMaterial();
        self::assertSame([bin2hex(self::pkiFile('root.der'))], $material['anchors']);
        self::assertSame([], $material['intermediates']);
        self::assertSame([bin2hex(self::pkiFile('crl.der'))], $material['crls']);

        // The CRL a verdict used is kept as evidence, byte for byte.
        $id = $vault->ingest(self::meta(), 'kept')['record']['result_id'];
        $stored = self::signInTwoPhases($vault, $id);
        $crlSha = $stored['acceptance']['crls_used'][0]['sha256'];
        self::assertSame(hash('sha256', self::pkiFile('crl.der')), $crlSha);

        // Removing the CRL: gone from the store (and a second removal finds nothing)...
        self::assertTrue($vault->removeTrustItem($crlSha));
        self::assertFalse($vault->removeTrustItem($crlSha));
        self::assertSame(['anchor'], array_column($vault->trustItems(), 'kind'));
        // ...but still kept with the verdict.
        self::assertSame(bin2hex(self::pkiFile('crl.der')), bin2hex($vault->keptCrl($crlSha)));
    }

    public function testCmsRepliesAndAttachedSignatures(): void
    {
        $vault = $this->trustedVault();
        $dir = $this->tempDir();

        // A provider answering a whole CMS over the envelope (VNPT SmartCA style).
        $id = $vault->ingest(self::meta(), 'cms reply')['record']['result_id'];
        $session = $vault->beginSigning($id, self::pkiFile('officer.pem'));
        $envelope = $vault->envelope($id);
        self::assertSame($session['envelope_digest'], hash('sha256', $envelope));
        $cms = $this->opensslCms($dir, $envelope);
        $stored = $vault->completeSigningCms($session['session_id'], $cms);
        self::assertSame('PASSED', $stored['acceptance']['indication']);
        self::assertSame($id, $stored['result_id']);
        self::assertSame('COMPLETED', $vault->signingSession($session['session_id'])['state']);
        self::assertTrue($vault->isReusable($id));

        // A CMS made elsewhere, attached without a session.
        $other = $vault->ingest(self::meta(['document_number' => '77/TLKS']), 'attached')['record']['result_id'];
        $attached = $vault->attachSignature($other, $this->opensslCms($dir, $vault->envelope($other)));
        self::assertSame('PASSED', $attached['acceptance']['indication']);
        self::assertSame($other, $attached['result_id']);
        self::assertSame([$attached['sha256']], array_column($vault->signatures($other), 'sha256'));
        self::assertTrue($vault->isReusable($other));
        $checks = $vault->signatureChecks($other);
        self::assertCount(1, $checks);

        // A CMS over another record's envelope is refused, and nothing is stored.
        try {
            $vault->attachSignature($other, $cms);
            self::fail('a CMS over another envelope was accepted');
        } catch (\ResultsVault\Exception\SignatureRefusedException $e) {
            self::assertSame(13, $e->getRvCode());
        }
        self::assertCount(1, $vault->signatures($other));
    }

    public function testLogHeadDetectsARewrittenLog(): void
    {
        $vault = $this->trustedVault();
        $vault->ingest(self::meta(), 'log');
        $head = $vault->logHead();
        self::assertTrue($vault->isLogIntact($head));
        // A head the log does not hold (as if the log had been rewritten since).
        $forged = ['seq' => $head['seq'], 'hash' => str_repeat('0', 64)];
        self::assertFalse($vault->isLogIntact($forged));
        $report = $vault->verifyLog($forged);
        self::assertGreaterThan(0, $report['problem_count']);
        self::assertCount($report['problem_count'], $report['problems']);
        // A head given as JSON text.
        self::assertTrue($vault->isLogIntact(new RawJson(json_encode($head, JSON_THROW_ON_ERROR))));
    }

    public function testTwoHandlesOnOneFileShareRecordsAndSessions(): void
    {
        $first = $this->trustedVault($path);
        $second = $this->track(Vault::open($path, ['mode' => 'open', 'busy_timeout_ms' => 5000]));
        $id = $first->ingest(self::meta(), 'shared')['record']['result_id'];
        self::assertSame('shared', $second->readContent($id));

        // Phase 1 on one handle, phase 2 on the other (as in two requests of a portal).
        $session = $first->beginSigning($id, self::pkiFile('officer.pem'));
        $stored = $second->completeSigningRaw($session['session_id'], 'RSA_PKCS1', self::remoteSign($session));
        self::assertSame('PASSED', $stored['acceptance']['indication']);
        self::assertSame('COMPLETED', $first->signingSession($session['session_id'])['state']);
        self::assertTrue($first->isReusable($id));

        // Closing one leaves the other open.
        $first->close();
        self::assertTrue($second->isReusable($id));
    }

    public function testAnEmptyVault(): void
    {
        $path = $this->tempDir() . '/empty.vault';
        $vault = $this->track(Vault::open($path, ['mode' => 'create', 'cache_verdicts' => false, 'max_content_size' => 16]));
        self::assertSame($path, $vault->path());
        self::assertSame([], $vault->trustItems());
        self::assertSame(['anchors' => [], 'intermediates' => [], 'crls' => []], $vault->trustMaterial());
        self::assertSame([], $vault->storageSummary());
        self::assertSame([], $vault->verifyContents());
        self::assertSame([], $vault->checkStorage());
        self::assertTrue($vault->isLogIntact());
        self::assertSame(0, $vault->countReusable(self::query(), self::requester()));
        self::assertSame(['results' => [], 'verdicts' => [], 'excluded' => []], $vault->findReusable(self::query(), self::requester()));
        // The option took effect.
        try {
            $vault->ingest(self::meta(), str_repeat('x', 17));
            self::fail('content over max_content_size was accepted');
        } catch (ContentRefusedException $e) {
            self::assertSame(15, $e->getRvCode());
        }
    }

    public function testAVaultCannotBeClonedOrSerialized(): void
    {
        $vault = $this->trustedVault();
        try {
            clone $vault;
            self::fail('a vault was cloned');
        } catch (\Error $e) {
            self::assertStringContainsString('__clone', $e->getMessage());
        }
        try {
            serialize($vault);
            self::fail('a vault was serialized');
        } catch (\LogicException $e) {
            self::assertStringContainsString('native handle', $e->getMessage());
        }
        self::assertSame([], $vault->storageSummary(), 'still usable');
    }

    public function testManyHandlesAreReleased(): void
    {
        // Open and drop handles without close(): __destruct frees each (rv_vault_free).
        $path = $this->tempDir() . '/many.vault';
        $this->track(Vault::open($path))->close();
        $before = memory_get_usage();
        for ($i = 0; $i < 200; $i++) {
            $v = Vault::open($path, ['mode' => 'open']);
            self::assertSame($path, $v->path());
            unset($v);
        }
        // A fresh handle still reads and writes the file.
        $last = $this->track(Vault::open($path, ['mode' => 'open']));
        $last->ingest(self::meta(), 'after many');
        self::assertCount(1, $last->findByHash(hash('sha256', 'after many')));
        self::assertLessThan(2 * 1024 * 1024, memory_get_usage() - $before);
        self::assertSame(Library::instance(), $last->library());
    }

    /**
     * A detached CAdES CMS over `$data`, signed by the test officer with openssl.
     */
    private function opensslCms(string $dir, string $data): string
    {
        $in = tempnam($dir, 'data');
        $out = $in . '.p7s';
        file_put_contents($in, $data);
        self::runCommand([
            'openssl', 'cms', '-sign', '-cades', '-binary', '-outform', 'DER', '-md', 'sha256',
            '-signer', self::pki() . '/officer.pem', '-inkey', self::pki() . '/officer.key',
            '-in', $in, '-out', $out,
        ]);
        return (string) file_get_contents($out);
    }

    public function testSignerRulesAreAddedListedAndRemovedWithAuditEvents(): void
    {
        $vault = $this->trustedVault();
        self::assertSame([], $vault->signerRules('G22.46.01'));
        $sha = hash('sha256', 'officer certificate');
        $rule = $vault->addSignerRule('G22.46.01', ['kind' => 'certificate', 'sha256' => $sha], 'Quyết định 12/QĐ-UBND');
        self::assertSame('G22.46.01', $rule['agency_code']);
        self::assertSame(['kind' => 'certificate', 'sha256' => $sha], $rule['rule']);
        self::assertSame(64, strlen($rule['rule_id']));
        self::assertSame($rule, $vault->addSignerRule('G22.46.01', ['kind' => 'certificate', 'sha256' => $sha]));
        $org = $vault->addSignerRule(
            'G22.46.01',
            ['kind' => 'issuer_organization', 'issuer' => 'CN=Root CA', 'organization' => 'UBND phường Hải Châu'],
        );
        self::assertSame([$rule['rule_id'], $org['rule_id']], array_column($vault->signerRules('G22.46.01'), 'rule_id'));
        self::assertSame([], $vault->signerRules('G01'));
        self::assertCount(2, $vault->signerRules());

        // A rule that is no rule, or an empty agency: refused, nothing changes.
        $head = $vault->logHead();
        foreach ([['kind' => 'anyone'], ['kind' => 'certificate', 'sha256' => 'zz']] as $bad) {
            try {
                $vault->addSignerRule('G22.46.01', $bad);
                self::fail('a bad rule was accepted');
            } catch (InvalidArgumentException $e) {
                self::assertSame(3, $e->getRvCode(), $e->getMessage());
            }
        }
        try {
            $vault->addSignerRule('', ['kind' => 'certificate', 'sha256' => $sha]);
            self::fail('an empty agency was accepted');
        } catch (InvalidArgumentException $e) {
            self::assertSame(4, $e->getRvCode());
        }
        self::assertSame($head, $vault->logHead());

        self::assertTrue($vault->removeSignerRule($rule['rule_id'], 'thay đổi'));
        self::assertFalse($vault->removeSignerRule($rule['rule_id']));
        self::assertSame([$org['rule_id']], array_column($vault->signerRules(), 'rule_id'));
        self::assertTrue($vault->isLogIntact());
    }
}
