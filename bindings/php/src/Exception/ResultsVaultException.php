<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

use ResultsVault\ResultCode;

/**
 * The base of every exception this package throws.
 *
 * A failure reported by the native library carries its `rv_result` code
 * ({@see getRvCode()}, also {@see getCode()}), the code's C name ({@see getRvName()},
 * e.g. `"RV_NOT_FOUND"`) and the C function that failed ({@see getFunction()}); the
 * message is the library's own (`rv_last_error_message()`), which never holds a
 * personal ID in full. Failures found by the binding before the native call (a PHP
 * string holding a NUL byte, a value json_encode() refuses) use the same codes.
 *
 * Loading failures ({@see LibraryException}) have no code: {@see getRvCode()} is null.
 *
 * Catch a subclass for one family of failures, or this class for all of them.
 */
class ResultsVaultException extends \RuntimeException
{
    private ?int $rvCode;
    private ?string $rvName;
    private ?string $function;

    /**
     * @param string      $message  the library's message
     * @param int|null    $rvCode   the `rv_result` code, null for loading failures
     * @param string|null $rvName   the code's C name (`"RV_NOT_FOUND"`)
     * @param string|null $function the C function that returned the code (`"rv_vault_get"`)
     * @param \Throwable|null $previous the cause, if any
     */
    public function __construct(
        string $message,
        ?int $rvCode = null,
        ?string $rvName = null,
        ?string $function = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, $rvCode ?? 0, $previous);
        $this->rvCode = $rvCode;
        $this->rvName = $rvName ?? ($rvCode === null ? null : (ResultCode::tryFrom($rvCode)?->cName() ?? 'RV_UNKNOWN'));
        $this->function = $function;
    }

    /**
     * Builds the exception of the right class for a failing code.
     *
     * @param int         $code     a non-zero `rv_result`
     * @param string      $name     its C name, as `rv_result_name()` gave it
     * @param string      $message  the library's message
     * @param string|null $function the C function that failed
     */
    public static function fromCode(int $code, string $name, string $message, ?string $function = null): self
    {
        $class = ResultCode::tryFrom($code)?->exceptionClass() ?? self::class;
        if ($message === '') {
            $message = $name;
        }
        if ($function !== null) {
            $message = $function . ': ' . $message;
        }
        return new $class($message, $code, $name, $function);
    }

    /**
     * The `rv_result` code (1–26), or null for a failure that did not come with one
     * (loading the library).
     */
    public function getRvCode(): ?int
    {
        return $this->rvCode;
    }

    /**
     * The code's C name (`"RV_NOT_FOUND"`), or null for a loading failure.
     */
    public function getRvName(): ?string
    {
        return $this->rvName;
    }

    /**
     * The code as an enum, or null (loading failures, or a code this binding does not
     * know).
     */
    public function getResultCode(): ?ResultCode
    {
        return $this->rvCode === null ? null : ResultCode::tryFrom($this->rvCode);
    }

    /**
     * The C function that returned the code (`"rv_vault_get"`), if known.
     */
    public function getFunction(): ?string
    {
        return $this->function;
    }
}
