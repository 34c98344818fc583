<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The library found is not the ABI this binding was written for: `rv_abi_version()`
 * differs from {@see \ResultsVault\Library::ABI_VERSION}, or the library lacks a
 * function the header declares. Install the matching library (its SONAME is
 * `libresults_vault.so.<ABI>`) or the matching binding.
 */
class AbiMismatchException extends LibraryException
{
    private ?int $expected;
    private ?int $actual;

    /**
     * @param string   $message  what is wrong
     * @param int|null $expected the ABI version the binding needs
     * @param int|null $actual   the ABI version the library reports (null if unknown)
     * @param \Throwable|null $previous the cause, if any
     */
    public function __construct(string $message, ?int $expected = null, ?int $actual = null, ?\Throwable $previous = null)
    {
        parent::__construct($message, null, null, null, $previous);
        $this->expected = $expected;
        $this->actual = $actual;
    }

    /**
     * The ABI version this binding was written for.
     */
    public function getExpectedVersion(): ?int
    {
        return $this->expected;
    }

    /**
     * The ABI version the library reports, or null if it could not be read.
     */
    public function getActualVersion(): ?int
    {
        return $this->actual;
    }
}
