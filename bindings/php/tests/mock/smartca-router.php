<?php

declare(strict_types=1);

/*
 * A VNPT SmartCA-shaped mock (the service-provider API, /v1/...), run by PHP's built-in
 * server for RemoteSigningTest:
 *
 *   RV_MOCK_STATE=<dir> RV_MOCK_PKI=<pki dir> RV_MOCK_SP_PASSWORD=<secret> \
 *       php -S 127.0.0.1:<port> smartca-router.php
 *
 * The first path segment is the scenario, so that one server plays several officers:
 *   /approve-after-<n>/v1/...  the officer approves after <n> status polls that answer "waiting"
 *   /reject-after-<n>/v1/...   the officer refuses on the phone after <n> waiting polls
 * optionally followed by a label (`/approve-after-2-resume/v1/...`) that keeps each test's
 * requests apart in the log.
 *
 * The officer's "HSM" is the real openssl CLI: `openssl pkeyutl -sign -pkeyopt digest:sha256`
 * over the hex digest received, with the test PKI's officer.key; the answer is a raw
 * PKCS#1 v1.5 signature in base64 (the configuration's `"answer": "raw"`).
 *
 * Every request is appended to <state>/requests.jsonl as {scenario, path, sp_id,
 * data_to_be_signed?} (never the password) for the test to check.
 */

const WAITING = 'Waiting for the user to confirm the transaction';

function answer(int $http, array $body): bool
{
    http_response_code($http);
    header('Content-Type: application/json');
    echo json_encode($body, JSON_UNESCAPED_SLASHES);
    return true;
}

function fail(string $why): bool
{
    return answer(400, ['status_code' => 400, 'message' => $why, 'data' => null]);
}

function state_file(string $name): string
{
    return getenv('RV_MOCK_STATE') . '/' . $name;
}

function log_request(array $entry): void
{
    file_put_contents(state_file('requests.jsonl'), json_encode($entry) . "\n", FILE_APPEND | LOCK_EX);
}

function b64_file(string $name): string
{
    return base64_encode((string) file_get_contents(getenv('RV_MOCK_PKI') . '/' . $name));
}

/** The real openssl CLI signs the digest with the officer's key (RSA PKCS#1 v1.5, SHA-256 DigestInfo). */
function openssl_sign_digest(string $digest): string
{
    $in = tempnam(getenv('RV_MOCK_STATE'), 'digest-');
    $out = $in . '.sig';
    file_put_contents($in, $digest);
    $cmd = ['openssl', 'pkeyutl', '-sign', '-inkey', getenv('RV_MOCK_PKI') . '/officer.key',
        '-pkeyopt', 'digest:sha256', '-in', $in, '-out', $out];
    $process = proc_open($cmd, [1 => ['file', '/dev/null', 'w'], 2 => ['pipe', 'w']], $pipes);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[2]);
    $rc = proc_close($process);
    $signature = $rc === 0 ? (string) file_get_contents($out) : '';
    @unlink($in);
    @unlink($out);
    if ($signature === '') {
        throw new RuntimeException("openssl pkeyutl failed ({$rc}): {$err}");
    }
    return $signature;
}

function route(): bool
{
    if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
        return answer(405, ['status_code' => 405, 'message' => 'POST only']);
    }
    $path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
    if (preg_match('#^/((approve|reject)-after-(\d+)(?:-[a-z0-9]+)?)(/v1/.*)$#', $path, $m) !== 1) {
        return answer(404, ['status_code' => 404, 'message' => 'no such scenario']);
    }
    [, $scenario, $outcome, $after, $api] = $m;
    $body = json_decode((string) file_get_contents('php://input'), true);
    if (!is_array($body)) {
        return fail('the body is not JSON');
    }
    $entry = ['scenario' => $scenario, 'path' => $api, 'sp_id' => $body['sp_id'] ?? null];
    // The integrator's credentials come in every body.
    if (($body['sp_id'] ?? null) !== 'sp-test' || ($body['sp_password'] ?? null) !== getenv('RV_MOCK_SP_PASSWORD')) {
        log_request($entry);
        return answer(200, ['status_code' => 401, 'message' => 'Invalid sp_id or sp_password', 'data' => null]);
    }

    if ($api === '/v1/credentials/get_certificate') {
        log_request($entry);
        return answer(200, ['status_code' => 200, 'message' => 'success', 'data' => ['user_certificates' => [[
            'service_type' => 'SMARTCA',
            'serial_number' => '5402a0b1c2d3e4f5',
            'cert_status' => 'Đang hoạt động',
            'cert_data' => b64_file('officer.der'),
            'chain_data' => ['ca_cert' => '', 'root_cert' => b64_file('root.der')],
        ]]]]);
    }

    if ($api === '/v1/signatures/sign') {
        $txn = (string) ($body['transaction_id'] ?? '');
        $file = $body['sign_files'][0] ?? null;
        $hex = is_array($file) ? (string) ($file['data_to_be_signed'] ?? '') : '';
        $entry['data_to_be_signed'] = $hex;
        log_request($entry);
        if (preg_match('/^[0-9A-Za-z_-]+$/', $txn) !== 1 || preg_match('/^([0-9a-f]{2}){32}$/', $hex) !== 1
            || ($file['sign_type'] ?? null) !== 'hash') {
            return fail('a transaction_id and a SHA-256 data_to_be_signed in hex are required');
        }
        file_put_contents(state_file("txn-{$txn}.json"), json_encode(['hex' => $hex, 'polls' => 0]));
        return answer(200, ['status_code' => 200, 'message' => 'success', 'data' => [
            'transaction_id' => $txn,
            'tran_code' => 'SCA-' . strtoupper(substr(hash('sha256', $txn), 0, 12)),
        ]]);
    }

    if (preg_match('#^/v1/signatures/sign/([0-9A-Za-z_-]+)/status$#', $api, $t) === 1) {
        log_request($entry);
        $stateFile = state_file("txn-{$t[1]}.json");
        $txn = is_file($stateFile) ? json_decode((string) file_get_contents($stateFile), true) : null;
        if (!is_array($txn)) {
            return answer(200, ['status_code' => 404, 'message' => 'Transaction not found', 'data' => null]);
        }
        $txn['polls']++;
        file_put_contents($stateFile, json_encode($txn));
        if ($txn['polls'] <= (int) $after) {
            return answer(200, ['status_code' => 200, 'message' => WAITING,
                'data' => ['transaction_id' => $t[1], 'signatures' => null]]);
        }
        if ($outcome === 'reject') {
            return answer(200, ['status_code' => 200, 'message' => 'Transaction rejected by user',
                'data' => ['transaction_id' => $t[1], 'signatures' => null]]);
        }
        $signature = openssl_sign_digest((string) hex2bin($txn['hex']));
        return answer(200, ['status_code' => 200, 'message' => 'success', 'data' => [
            'transaction_id' => $t[1],
            'signatures' => [['doc_id' => 'doc', 'signature_value' => base64_encode($signature), 'timestamp_signature' => null]],
        ]]);
    }

    return answer(404, ['status_code' => 404, 'message' => 'no such API', 'data' => null]);
}

return route();
