<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The remote provider declined to sign (`RV_PROVIDER_DECLINED`): the officer refused on
 * the phone, did not approve in time, the certificate is revoked or expired at the
 * provider, the quota is used up, or the provider refused the credentials; or the session
 * had already ended so. The message says which, and
 * {@see \ResultsVault\Vault::remoteRequest()} gives the typed `outcome`. The session is
 * ended and nothing was stored.
 */
class ProviderDeclinedException extends ProviderException
{
}
