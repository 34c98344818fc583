<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The signing session is expired, cancelled, or was completed with another reply
 * (`RV_SESSION_UNUSABLE`). An unknown session id is a {@see NotFoundException}.
 */
class SessionUnusableException extends ResultsVaultException
{
}
