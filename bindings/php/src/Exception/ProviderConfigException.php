<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The provider configuration is invalid or incomplete (an unknown provider, a missing or
 * mistyped field, a `base_url` that is not `https://`), or the session belongs to another
 * provider or to none (`RV_PROVIDER_CONFIG`). Secrets never appear in the message.
 */
class ProviderConfigException extends ProviderException
{
}
