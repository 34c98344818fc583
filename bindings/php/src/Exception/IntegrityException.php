<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * Stored content no longer matches its SHA-256 (`RV_INTEGRITY`).
 */
class IntegrityException extends ResultsVaultException
{
}
