<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * Whether the provider received the request is unknown and its API cannot look it up
 * (`RV_PROVIDER_OUTCOME_UNKNOWN`): it is not resent, since that could sign twice. Check
 * with the provider, then cancel the session ({@see getSessionId()}).
 */
class ProviderOutcomeUnknownException extends ProviderException
{
}
