<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The native library could not be used: not found, not loadable, its header not found or
 * not parseable, or an incompatible ABI. These failures carry no `rv_result` code.
 */
class LibraryException extends ResultsVaultException
{
}
