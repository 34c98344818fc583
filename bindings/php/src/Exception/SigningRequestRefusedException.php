<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * A signing request was refused: certificate chain, digest or key type
 * (`RV_SIGNING_REQUEST_REFUSED`).
 */
class SigningRequestRefusedException extends ResultsVaultException
{
}
