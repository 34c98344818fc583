<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The remote provider answered something malformed (JSON, base64, status), or named a
 * certificate that is not the configured signer's (`RV_PROVIDER_BAD_ANSWER`). Nothing was
 * stored.
 */
class ProviderBadAnswerException extends ProviderException
{
}
