<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * An argument was refused before anything was done: a NULL parameter (`RV_NULL_PARAMETER`),
 * a string that is not UTF-8 (`RV_INVALID_UTF8`), JSON that is not valid or not of the
 * expected shape (`RV_INVALID_JSON`), or a value that is well-formed but not acceptable:
 * a field, an id, a time, hex (`RV_INVALID_ARGUMENT`). {@see getRvCode()} tells which.
 */
class InvalidArgumentException extends ResultsVaultException
{
}
