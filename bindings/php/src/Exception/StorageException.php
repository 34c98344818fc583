<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * Reading or writing failed: I/O or SQLite (`RV_STORAGE`).
 */
class StorageException extends ResultsVaultException
{
}
