<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * Stored data could not be decoded (`RV_MALFORMED_DATA`): a bug, or an edit behind the
 * vault's back. The binding also throws it if the library's JSON answer cannot be
 * decoded.
 */
class MalformedDataException extends ResultsVaultException
{
}
