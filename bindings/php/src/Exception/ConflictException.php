<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * Another result already holds this dossier + procedure + document number (`RV_CONFLICT`).
 */
class ConflictException extends ResultsVaultException
{
}
