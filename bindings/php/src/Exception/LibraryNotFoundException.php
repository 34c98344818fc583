<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The native library (or its PHP FFI header) was not found or could not be loaded. Set
 * `RESULTS_VAULT_LIB` to the library's path (and `RESULTS_VAULT_HEADER` to
 * results_vault_php.h if it is not installed beside it).
 */
class LibraryNotFoundException extends LibraryException
{
}
