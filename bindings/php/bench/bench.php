<?php

declare(strict_types=1);

/*
 * Per-call latency of the PHP binding over an existing vault.
 *
 *   php bench/bench.php <vault-path> <result-id> <query-json> <requester-json> <iterations>
 *
 * Opens the vault (it must exist), warms up, then times each call with hrtime():
 *   verify_json_us    Vault::verifyRecord()  (the verdict's JSON encoded, copied, decoded)
 *   verify_nojson_us  Vault::isReusable()    (no JSON: only the bool)
 *   reuse_json_us     Vault::findReusable()  (query and requester encoded, answer decoded;
 *                                             each call records reuse events in the vault)
 * and prints one JSON line with the medians in microseconds. The library is taken from
 * RESULTS_VAULT_LIB (or the system), as the binding always does.
 */

use ResultsVault\Vault;

$autoload = dirname(__DIR__) . '/vendor/autoload.php';
if (is_file($autoload)) {
    require $autoload;
} else {
    spl_autoload_register(static function (string $class): void {
        if (str_starts_with($class, 'ResultsVault\\')) {
            $file = dirname(__DIR__) . '/src/' . str_replace('\\', '/', substr($class, strlen('ResultsVault\\'))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    });
}

if ($argc !== 6) {
    fwrite(STDERR, "usage: php bench.php <vault-path> <result-id> <query-json> <requester-json> <iterations>\n");
    exit(2);
}
[, $path, $id, $queryJson, $requesterJson, $iterationsArg] = $argv;
$iterations = filter_var($iterationsArg, FILTER_VALIDATE_INT, ['options' => ['min_range' => 1]]);
if ($iterations === false) {
    fwrite(STDERR, "bench.php: iterations must be a positive integer\n");
    exit(2);
}

try {
    $query = json_decode($queryJson, true, 512, JSON_THROW_ON_ERROR);
    $requester = json_decode($requesterJson, true, 512, JSON_THROW_ON_ERROR);
    if (!is_array($query) || !is_array($requester)) {
        throw new JsonException('query and requester must be JSON objects');
    }

    $vault = Vault::open($path, ['mode' => 'open']);

    /**
     * The median of a call's durations, in microseconds.
     */
    $time = static function (callable $call, int $n): float {
        $samples = [];
        for ($i = 0; $i < $n; $i++) {
            $start = hrtime(true);
            $call();
            $samples[] = hrtime(true) - $start;
        }
        sort($samples);
        $mid = intdiv($n, 2);
        $median = $n % 2 === 1 ? $samples[$mid] : ($samples[$mid - 1] + $samples[$mid]) / 2;
        return round($median / 1000, 2);
    };

    // RV_BENCH_AT: the validation time the Rust side of benches/ffi.rs uses (default now).
    $at = getenv('RV_BENCH_AT') ?: null;
    $verifyJson = static fn () => $vault->verifyRecord($id, $at);
    $verifyNoJson = static fn () => $vault->isReusable($id, $at);
    $reuseJson = static fn () => $vault->findReusable($query, $requester);

    // Warm-up: the code paths, the library's caches, SQLite's pages.
    $warmup = max(5, min(100, intdiv($iterations, 10)));
    for ($i = 0; $i < $warmup; $i++) {
        $verifyJson();
        $verifyNoJson();
        $reuseJson();
    }
    if (!$vault->isReusable($id)) {
        fwrite(STDERR, "bench.php: warning: {$id} is not reusable: the timings are of a negative answer\n");
    }
    $handedOut = count($reuseJson()['results']);
    if ($handedOut === 0) {
        fwrite(STDERR, "bench.php: warning: the reuse query hands out nothing\n");
    }

    $result = [
        'lang' => 'php',
        'verify_json_us' => $time($verifyJson, $iterations),
        'verify_nojson_us' => $time($verifyNoJson, $iterations),
        'reuse_json_us' => $time($reuseJson, $iterations),
        'iterations' => $iterations,
    ];
    $vault->close();
    echo json_encode($result, JSON_THROW_ON_ERROR | JSON_PRESERVE_ZERO_FRACTION), "\n";
} catch (Throwable $e) {
    fwrite(STDERR, 'bench.php: ' . get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}
