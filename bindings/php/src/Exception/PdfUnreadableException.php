<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * A PDF given to be verified cannot be read (`RV_PDF_UNREADABLE`): it is not a PDF, it
 * is malformed, it is beyond the verifier's bounds, or it uses a feature the verifier
 * does not handle (encryption). A PDF that is read but badly signed is not this
 * exception: it is a verdict (FAILED or INDETERMINATE).
 */
class PdfUnreadableException extends ResultsVaultException
{
}
