<?php
// A portal's whole flow with results-vault, written from the READMEs only:
// open a vault, trust the root CA and its CRL, ingest a result, sign it in two phases
// (this script plays the remote signer with ext-openssl), verify it, let another agency
// reuse it, and check the audit log.
//
// Usage: php portal.php <pki-dir> <work-dir>
//   <pki-dir>  made by bindings/testdata/make-test-pki.sh (root.pem, crl.pem, officer.pem, officer.key)
//   <work-dir> where the vault file is created
// The library is found by the binding (RESULTS_VAULT_LIB, else libresults_vault.so.1).
// Exits 0 when everything is as expected, 1 otherwise.

declare(strict_types=1);

use ResultsVault\Vault;
use ResultsVault\Exception\ResultsVaultException;
use ResultsVault\Exception\SignatureRefusedException;

// No composer here: the package's own autoloader.
require __DIR__ . '/../autoload.php';

$failures = 0;
function check(bool $ok, string $what): void
{
    global $failures;
    if ($ok) {
        echo "ok    $what\n";
    } else {
        echo "FAIL  $what\n";
        $failures++;
    }
}

function readFileOrDie(string $path): string
{
    $bytes = @file_get_contents($path);
    if ($bytes === false) {
        fwrite(STDERR, "cannot read $path\n");
        exit(2);
    }
    return $bytes;
}

if ($argc !== 3) {
    fwrite(STDERR, "usage: php {$argv[0]} <pki-dir> <work-dir>\n");
    exit(2);
}
[$pki, $work] = [$argv[1], $argv[2]];
if (!is_dir($work) && !mkdir($work, 0700, true)) {
    fwrite(STDERR, "cannot create $work\n");
    exit(2);
}

$rootPem    = readFileOrDie("$pki/root.pem");
$crlPem     = readFileOrDie("$pki/crl.pem");
$officerPem = readFileOrDie("$pki/officer.pem");
$officerKey = openssl_pkey_get_private(readFileOrDie("$pki/officer.key"));
if ($officerKey === false) {
    fwrite(STDERR, "cannot load the officer's key: " . openssl_error_string() . "\n");
    exit(2);
}

$subjectId = '001203004567';
$today = (new DateTimeImmutable('now', new DateTimeZone('Asia/Ho_Chi_Minh')))->format('Y-m-d');

try {
    $vaultPath = "$work/portal.vault";
    $vault = Vault::open($vaultPath, ['actor' => 'portal-example']);
    echo "opened $vaultPath\n";

    // Trust the root CA and its current CRL (PEM bytes are accepted).
    $vault->addTrustAnchor($rootPem);
    $vault->addCrl($crlPem);
    echo "trusting root.pem and crl.pem\n";

    // Ingest a result: metadata + a small PDF-like file.
    $pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% Trích lục khai sinh\n%%EOF\n";
    $ingested = $vault->ingest([
        'dossier_code'    => 'H01.01-261101-0001',
        'procedure_code'  => '1.000466',
        'document_type'   => 'birth-extract',
        'document_number' => '12/TLKS',
        'issuer'          => ['agency_code' => 'G06.01', 'agency_name' => 'UBND phường Bến Nghé'],
        'subject'         => ['kind' => 'citizen', 'id' => $subjectId, 'name' => 'Nguyễn Văn An'],
        'issued_at'       => $today,
        'valid_from'      => $today,
        'media_type'      => 'application/pdf',
        'file_name'       => 'trich-luc.pdf',
        'provenance'      => ['origin' => 'born_digital'],
    ], $pdf);
    $id = $ingested['record']['result_id'];
    echo "ingested $id (created: " . var_export($ingested['created'], true) . ")\n";
    check($ingested['created'] === true, 'ingest created a new record');

    // Phase 1: the vault prepares what the provider must sign.
    $session = $vault->beginSigning($id, $officerPem);
    $sessionId = $session['session_id'];
    echo "signing session $sessionId\n";

    // The "remote" signer hashes itself: it signs the DER signed attributes,
    // RSA PKCS#1 v1.5 with SHA-256.
    $toSign = hex2bin($session['signed_attributes']);
    $signature = '';
    if (!openssl_sign($toSign, $signature, $officerKey, OPENSSL_ALGO_SHA256)) {
        throw new RuntimeException('openssl_sign failed: ' . openssl_error_string());
    }

    // Phase 2: give the provider's answer back. First a damaged reply, as a flaky provider
    // might send: the README says it is refused, nothing is stored and the session stays open.
    $damaged = $signature;
    $damaged[10] = chr(ord($damaged[10]) ^ 0x01);
    try {
        $vault->completeSigningRaw($sessionId, 'RSA_PKCS1', $damaged);
        check(false, 'a damaged signature is refused');
    } catch (SignatureRefusedException $e) {
        check(true, 'a damaged signature is refused (' . $e->getRvName() . ': ' . $e->getMessage() . ')');
    }
    $stored = $vault->completeSigningRaw($sessionId, 'RSA_PKCS1', $signature);
    echo "signed   $id by {$stored['acceptance']['signer']['subject']}"
        . " accepted at {$stored['proof_of_existence']}: {$stored['acceptance']['indication']}\n";
    check($stored['acceptance']['indication'] === 'PASSED', 'the signature was accepted as PASSED');

    // Verify.
    $verdict = $vault->verifyRecord($id);
    echo "verify $id: {$verdict['summary']}\n";
    check($verdict['reusable'] === true, 'the signed record verifies as reusable');
    check($vault->isReusable($id), 'isReusable() agrees');

    // Another agency's procedure asks for the birth extract ("once only").
    $answer = $vault->findReusable(
        ['subject_kind' => 'citizen', 'subject_id' => $subjectId,
         'document_type' => 'birth-extract', 'at' => gmdate('Y-m-d\TH:i:s\Z')],
        ['agency_code' => 'G01.02', 'procedure_code' => '2.000123',
         'dossier_code' => 'H02-0001', 'purpose' => 'xác minh'],
    );
    echo "reuse request for citizen / birth-extract:\n";
    $handedOut = [];
    foreach ($answer['results'] as $i => $record) {
        $rid = $record['result_id'];
        $handedOut[] = $rid;
        $file = $vault->readContent($rid);
        echo "  handed out $rid: {$answer['verdicts'][$i]['summary']}\n";
        check($file === $pdf, "content of $rid read back intact");
    }
    foreach ($answer['excluded'] as $ex) {
        echo "  excluded   {$ex['result_id']} ({$ex['reason']})\n";
    }
    check($handedOut === [$id], 'exactly the signed result is handed out');

    // The audit log.
    $head = $vault->logHead();
    echo "log head: " . json_encode($head) . "\n";
    check($vault->isLogIntact($head), 'audit log is intact against its head');
    $report = $vault->verifyLog();
    echo "log report: " . json_encode($report, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
    check(($report['problem_count'] ?? -1) === 0, 'verifyLog() reports no problem');

    $vault->close();
} catch (ResultsVaultException $e) {
    // Loading errors (LibraryNotFoundException, AbiMismatchException) carry no RV code/function.
    $where = $e->getFunction() ? ' in ' . $e->getFunction() : '';
    fwrite(STDERR, sprintf("%s%s: %s\n", $e->getRvName() ?: get_class($e), $where, $e->getMessage()));
    exit(1);
}

if ($failures > 0) {
    echo "$failures check(s) failed\n";
    exit(1);
}
echo "all checks passed\n";
exit(0);
