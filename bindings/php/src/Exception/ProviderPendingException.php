<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The officer has not approved yet (`RV_PROVIDER_PENDING`): the call stopped waiting
 * (`wait_seconds`) and the request is still pending at the provider. Call
 * {@see \ResultsVault\Vault::resumeRemote()} later with {@see getSessionId()}.
 */
class ProviderPendingException extends ProviderException
{
}
