<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * No result, signing session, trust item or kept CRL with this id (`RV_NOT_FOUND`).
 */
class NotFoundException extends ResultsVaultException
{
}
