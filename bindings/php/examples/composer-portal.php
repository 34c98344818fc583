<?php
// A portal that requires the composer package results-vault/results-vault (through a "path"
// repository) and uses it through composer's autoloader only: creates a vault, ingests a
// result, reads it back (also after reopening the file). bindings/php/package-test.sh copies it
// into a throw-away portal project next to its vendor/ directory and runs it there.
//
// Usage (from the portal project): php composer-portal.php <work-dir> [<expected-library> <expected-header>]
//   The library is found by the binding: RESULTS_VAULT_LIB (a path), else libresults_vault.so.1
//   through the dynamic loader; its FFI header: RESULTS_VAULT_HEADER, else <prefix>/include/
//   beside <prefix>/lib/, else the system's include directories.
//   With the expected paths, checks that the binding loaded exactly those files.
// Exits 0 when every check passes, 1 otherwise.

declare(strict_types=1);

use ResultsVault\Exception\ResultsVaultException;
use ResultsVault\Library;
use ResultsVault\Vault;

require __DIR__ . '/vendor/autoload.php';

$failures = 0;
function check(bool $ok, string $what): void
{
    global $failures;
    echo ($ok ? 'ok    ' : 'FAIL  ') . $what . "\n";
    if (!$ok) {
        $failures++;
    }
}

if ($argc !== 2 && $argc !== 4) {
    fwrite(STDERR, "usage: php {$argv[0]} <work-dir> [<expected-library> <expected-header>]\n");
    exit(2);
}
$work = $argv[1];
if (!is_dir($work) && !mkdir($work, 0700, true)) {
    fwrite(STDERR, "cannot create $work\n");
    exit(2);
}

try {
    // The classes come from the portal's vendor/ directory, through composer's PSR-4 autoloader.
    $vendor = realpath(__DIR__ . '/vendor/results-vault/results-vault/src');
    $from = (new ReflectionClass(Vault::class))->getFileName();
    echo "classes: $from\n";
    check($vendor !== false && str_starts_with($from, $vendor . '/'),
        'ResultsVault\\Vault is autoloaded from vendor/results-vault/results-vault/src');

    $library = Library::instance();
    echo "library: {$library->libraryPath()} (version {$library->version()}, ABI {$library->abiVersion()})\n";
    echo "header:  {$library->headerPath()}\n";
    check($library->abiVersion() === Library::ABI_VERSION, "the library's ABI is the binding's");
    if ($argc === 4) {
        check($library->libraryPath() === $argv[2], "the library is {$argv[2]}");
        check(realpath($library->headerPath()) === realpath($argv[3]), "the FFI header is {$argv[3]}");
    }

    $content = "%PDF-1.7\n% Trích lục khai sinh, composer portal check\n" . hrtime(true) . "\n";
    $meta = [
        'dossier_code'    => 'H01.01-261101-0010',
        'procedure_code'  => '1.000466',
        'document_type'   => 'birth-extract',
        'document_number' => '20/TLKS',
        'issuer'          => ['agency_code' => 'G06.01', 'agency_name' => 'UBND phường Bến Nghé'],
        'subject'         => ['kind' => 'citizen', 'id' => '001203004567', 'name' => 'Nguyễn Văn An'],
        'issued_at'       => '2026-11-01',
        'valid_from'      => '2026-11-01',
        'media_type'      => 'application/pdf',
        'file_name'       => 'trich-luc.pdf',
        'provenance'      => ['origin' => 'born_digital'],
    ];
    $file = "$work/portal.vault";

    $vault = Vault::open($file);
    $ingested = $vault->ingest($meta, $content);
    $id = $ingested['record']['result_id'];
    check($ingested['created'] === true, "ingest created result $id");
    check($vault->readContent($id) === $content, 'the content reads back byte for byte');
    $again = $vault->ingest($meta, $content);
    check($again['created'] === false && $again['record']['result_id'] === $id,
        'the same result ingested again is the stored one');
    $vault->close();

    check(is_file($file), "the vault file exists: $file");
    $vault = Vault::open($file);
    $record = $vault->get($id);
    check(($record['subject']['name'] ?? null) === 'Nguyễn Văn An',
        "after reopening, the record's metadata is there (UTF-8 intact)");
    check($vault->readContent($id) === $content, 'after reopening, the content reads back');
    check($vault->isLogIntact(), 'the audit log is intact');
    check(count($vault->history($id)) >= 1, 'the record has its history');
    $vault->close();
} catch (ResultsVaultException $e) {
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}

if ($failures > 0) {
    echo "$failures check(s) failed\n";
    exit(1);
}
echo "all checks passed\n";
