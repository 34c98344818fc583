<?php

declare(strict_types=1);

// The package's autoloader for portals that do not use composer:
//   require '/path/to/bindings/php/autoload.php';
// (with composer, its own PSR-4 autoloader does the same: `ResultsVault\` is src/).

spl_autoload_register(static function (string $class): void {
    $prefix = 'ResultsVault\\';
    if (!str_starts_with($class, $prefix)) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
