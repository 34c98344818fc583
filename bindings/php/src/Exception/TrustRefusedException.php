<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * A certificate or CRL offered to the trust store was refused (`RV_TRUST_REFUSED`); the
 * message says why.
 */
class TrustRefusedException extends ResultsVaultException
{
}
