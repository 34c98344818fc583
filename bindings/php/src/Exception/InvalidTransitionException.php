<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * A status change the result's current status does not allow, e.g. revoking a revoked
 * result (`RV_INVALID_TRANSITION`).
 */
class InvalidTransitionException extends ResultsVaultException
{
}
