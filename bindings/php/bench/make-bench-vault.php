<?php

declare(strict_types=1);

/*
 * Makes a vault for bench.php with the tests' flow: a throwaway PKI
 * (bindings/testdata/make-test-pki.sh), the root and its CRL trusted, one result
 * ingested and signed in two phases (openssl_sign as the remote signer).
 *
 *   php bench/make-bench-vault.php <new-directory>
 *
 * Prints the arguments of bench.php after <vault-path> ... as one shell-quoted line:
 *   <vault-path> <result-id> <query-json> <requester-json>
 */

use ResultsVault\Vault;

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'ResultsVault\\')) {
        $file = dirname(__DIR__) . '/src/' . str_replace('\\', '/', substr($class, strlen('ResultsVault\\'))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

if ($argc !== 2) {
    fwrite(STDERR, "usage: php make-bench-vault.php <new-directory>\n");
    exit(2);
}
$dir = $argv[1];
if (file_exists("{$dir}/bench.vault")) {
    fwrite(STDERR, "make-bench-vault.php: {$dir}/bench.vault already exists\n");
    exit(2);
}
$pki = "{$dir}/pki";
passthru('bash ' . escapeshellarg(dirname(__DIR__, 2) . '/testdata/make-test-pki.sh') . ' ' . escapeshellarg($pki), $rc);
if ($rc !== 0) {
    exit(1);
}

$vault = Vault::open("{$dir}/bench.vault", ['mode' => 'create']);
$vault->addTrustAnchor((string) file_get_contents("{$pki}/root.pem"));
$vault->addCrl((string) file_get_contents("{$pki}/crl.der"));
$record = $vault->ingest([
    'dossier_code' => 'H01.01-261101-0001',
    'procedure_code' => '1.000466',
    'document_type' => 'birth-extract',
    'document_number' => '12/TLKS',
    'issuer' => ['agency_code' => 'G06.01', 'agency_name' => 'UBND phường Bến Nghé'],
    'subject' => ['kind' => 'citizen', 'id' => '001203004567', 'name' => 'Nguyễn Văn An'],
    'issued_at' => '2026-11-01',
    'valid_from' => '2026-11-01',
    'media_type' => 'application/pdf',
    'file_name' => 'trich-luc.pdf',
    'provenance' => ['origin' => 'born_digital'],
], "%PDF-1.7\n" . random_bytes(64 * 1024) . "\n%%EOF")['record'];
$id = $record['result_id'];
$session = $vault->beginSigning($id, (string) file_get_contents("{$pki}/officer.pem"));
openssl_sign(hex2bin($session['signed_attributes']), $signature, (string) file_get_contents("{$pki}/officer.key"), OPENSSL_ALGO_SHA256);
$vault->completeSigningRaw($session['session_id'], 'RSA_PKCS1', $signature);
if (!$vault->isReusable($id)) {
    fwrite(STDERR, "make-bench-vault.php: the signed result is not reusable\n");
    exit(1);
}
$vault->close();

$flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR;
$query = json_encode([
    'subject_kind' => 'citizen',
    'subject_id' => '001203004567',
    'document_type' => 'birth-extract',
    'at' => gmdate('Y-m-d\TH:i:s\Z'),
], $flags);
$requester = json_encode([
    'agency_code' => 'G01.02',
    'procedure_code' => '2.000123',
    'dossier_code' => 'H02-0001',
    'purpose' => 'xác minh',
], $flags);
echo implode(' ', array_map('escapeshellarg', ["{$dir}/bench.vault", $id, $query, $requester])), "\n";
