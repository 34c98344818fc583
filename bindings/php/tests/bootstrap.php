<?php

declare(strict_types=1);

// The tests' bootstrap: a PSR-4 autoloader for the package and its tests (no composer
// install needed), and the library's default place in this repository.

spl_autoload_register(static function (string $class): void {
    $prefixes = [
        'ResultsVault\\Tests\\' => __DIR__ . '/',
        'ResultsVault\\' => dirname(__DIR__) . '/src/',
    ];
    foreach ($prefixes as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});

if (getenv('RESULTS_VAULT_LIB') === false || getenv('RESULTS_VAULT_LIB') === '') {
    $default = dirname(__DIR__, 3) . '/target/debug/libresults_vault.so';
    if (is_file($default)) {
        putenv('RESULTS_VAULT_LIB=' . $default);
    }
}
