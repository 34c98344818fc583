<?php

declare(strict_types=1);

namespace ResultsVault;

/**
 * The codes the C ABI returns (`enum rv_result` in results_vault.h).
 *
 * Every value but {@see ResultCode::Ok} is a failure; the binding turns it into an
 * exception of the class {@see ResultCode::exceptionClass()} names.
 */
enum ResultCode: int
{
    case Ok = 0;
    case NullParameter = 1;
    case InvalidUtf8 = 2;
    case InvalidJson = 3;
    case InvalidArgument = 4;
    case Closed = 5;
    case NotFound = 6;
    case Conflict = 7;
    case Integrity = 8;
    case InvalidTransition = 9;
    case TrustRefused = 10;
    case SigningRequestRefused = 11;
    case SessionUnusable = 12;
    case SignatureRefused = 13;
    case ReuseRefused = 14;
    case ContentRefused = 15;
    case File = 16;
    case Storage = 17;
    case MalformedData = 18;
    case Panic = 19;
    case PdfUnreadable = 20;
    case ProviderDeclined = 21;
    case ProviderUnreachable = 22;
    case ProviderBadAnswer = 23;
    case ProviderPending = 24;
    case ProviderOutcomeUnknown = 25;
    case ProviderConfig = 26;

    /**
     * The C name of the code, as `rv_result_name()` spells it (`"RV_NOT_FOUND"`).
     */
    public function cName(): string
    {
        return match ($this) {
            self::Ok => 'RV_OK',
            self::NullParameter => 'RV_NULL_PARAMETER',
            self::InvalidUtf8 => 'RV_INVALID_UTF8',
            self::InvalidJson => 'RV_INVALID_JSON',
            self::InvalidArgument => 'RV_INVALID_ARGUMENT',
            self::Closed => 'RV_CLOSED',
            self::NotFound => 'RV_NOT_FOUND',
            self::Conflict => 'RV_CONFLICT',
            self::Integrity => 'RV_INTEGRITY',
            self::InvalidTransition => 'RV_INVALID_TRANSITION',
            self::TrustRefused => 'RV_TRUST_REFUSED',
            self::SigningRequestRefused => 'RV_SIGNING_REQUEST_REFUSED',
            self::SessionUnusable => 'RV_SESSION_UNUSABLE',
            self::SignatureRefused => 'RV_SIGNATURE_REFUSED',
            self::ReuseRefused => 'RV_REUSE_REFUSED',
            self::ContentRefused => 'RV_CONTENT_REFUSED',
            self::File => 'RV_FILE',
            self::Storage => 'RV_STORAGE',
            self::MalformedData => 'RV_MALFORMED_DATA',
            self::Panic => 'RV_PANIC',
            self::PdfUnreadable => 'RV_PDF_UNREADABLE',
            self::ProviderDeclined => 'RV_PROVIDER_DECLINED',
            self::ProviderUnreachable => 'RV_PROVIDER_UNREACHABLE',
            self::ProviderBadAnswer => 'RV_PROVIDER_BAD_ANSWER',
            self::ProviderPending => 'RV_PROVIDER_PENDING',
            self::ProviderOutcomeUnknown => 'RV_PROVIDER_OUTCOME_UNKNOWN',
            self::ProviderConfig => 'RV_PROVIDER_CONFIG',
        };
    }

    /**
     * The exception class thrown for this code.
     *
     * @return class-string<Exception\ResultsVaultException>
     */
    public function exceptionClass(): string
    {
        return match ($this) {
            self::Ok => Exception\ResultsVaultException::class,
            self::NullParameter, self::InvalidUtf8, self::InvalidJson, self::InvalidArgument
                => Exception\InvalidArgumentException::class,
            self::Closed => Exception\ClosedException::class,
            self::NotFound => Exception\NotFoundException::class,
            self::Conflict => Exception\ConflictException::class,
            self::Integrity => Exception\IntegrityException::class,
            self::InvalidTransition => Exception\InvalidTransitionException::class,
            self::TrustRefused => Exception\TrustRefusedException::class,
            self::SigningRequestRefused => Exception\SigningRequestRefusedException::class,
            self::SessionUnusable => Exception\SessionUnusableException::class,
            self::SignatureRefused => Exception\SignatureRefusedException::class,
            self::ReuseRefused => Exception\ReuseRefusedException::class,
            self::ContentRefused => Exception\ContentRefusedException::class,
            self::File => Exception\FileException::class,
            self::Storage => Exception\StorageException::class,
            self::MalformedData => Exception\MalformedDataException::class,
            self::Panic => Exception\InternalErrorException::class,
            self::PdfUnreadable => Exception\PdfUnreadableException::class,
            self::ProviderDeclined => Exception\ProviderDeclinedException::class,
            self::ProviderUnreachable => Exception\ProviderUnreachableException::class,
            self::ProviderBadAnswer => Exception\ProviderBadAnswerException::class,
            self::ProviderPending => Exception\ProviderPendingException::class,
            self::ProviderOutcomeUnknown => Exception\ProviderOutcomeUnknownException::class,
            self::ProviderConfig => Exception\ProviderConfigException::class,
        };
    }
}
