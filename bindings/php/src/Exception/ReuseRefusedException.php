<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * A reuse request without a full requester (`RV_REUSE_REFUSED`): agency_code,
 * procedure_code, dossier_code and purpose are all required.
 */
class ReuseRefusedException extends ResultsVaultException
{
}
