<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The vault was closed (`RV_CLOSED`): {@see \ResultsVault\Vault::close()} was called before.
 */
class ClosedException extends ResultsVaultException
{
}
