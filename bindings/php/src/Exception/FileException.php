<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The vault file: missing, already there, not a vault, written by a newer version, or
 * corrupt (`RV_FILE`).
 */
class FileException extends ResultsVaultException
{
}
