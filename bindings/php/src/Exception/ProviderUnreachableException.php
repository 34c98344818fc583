<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The remote provider could not be reached (`RV_PROVIDER_UNREACHABLE`): connection, TLS,
 * timeout. Nothing was stored; a request that may have reached the provider is
 * resumable ({@see getSessionId()}).
 */
class ProviderUnreachableException extends ProviderException
{
}
