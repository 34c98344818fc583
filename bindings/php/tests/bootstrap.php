<?php

declare(strict_types=1);

// The tests' bootstrap: a PSR-4 autoloader for the package and its tests (no composer
// install needed), and the library's default place in this repository.

require dirname(__DIR__) . '/autoload.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'ResultsVault\\Tests\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

if (getenv('RESULTS_VAULT_LIB') === false || getenv('RESULTS_VAULT_LIB') === '') {
    $default = dirname(__DIR__, 3) . '/target/debug/libresults_vault.so';
    if (is_file($default)) {
        putenv('RESULTS_VAULT_LIB=' . $default);
    }
}
