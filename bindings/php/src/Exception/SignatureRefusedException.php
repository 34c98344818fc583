<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * A signature (a provider's reply or an attached CMS) was read or verified and refused
 * (`RV_SIGNATURE_REFUSED`). Nothing was stored; an open signing session stays open, so
 * the right reply can still complete it.
 */
class SignatureRefusedException extends ResultsVaultException
{
}
