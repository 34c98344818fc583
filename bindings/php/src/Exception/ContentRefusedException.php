<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * Content empty or larger than the vault accepts (`RV_CONTENT_REFUSED`).
 */
class ContentRefusedException extends ResultsVaultException
{
}
