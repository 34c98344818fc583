<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * A bug in the native library: a panic was caught at the C boundary (`RV_PANIC`). The
 * call did not complete; please report the message.
 */
class InternalErrorException extends ResultsVaultException
{
}
