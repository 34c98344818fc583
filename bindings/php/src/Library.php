<?php

declare(strict_types=1);

namespace ResultsVault;

use FFI;
use FFI\CData;
use ResultsVault\Exception\AbiMismatchException;
use ResultsVault\Exception\InvalidArgumentException;
use ResultsVault\Exception\LibraryException;
use ResultsVault\Exception\LibraryNotFoundException;
use ResultsVault\Exception\MalformedDataException;
use ResultsVault\Exception\ResultsVaultException;

/**
 * The native library `libresults_vault` loaded through PHP's FFI extension.
 *
 * {@see Library::instance()} loads it once per process (lazily, on first use), from:
 *
 * - the library: `RESULTS_VAULT_LIB` (a path) if set, else the system's dynamic loader
 *   (`libresults_vault.so.1` on Linux: installed under a lib directory the loader
 *   searches, or on `LD_LIBRARY_PATH`);
 * - its FFI header (`results_vault_php.h`, the variant without preprocessor lines):
 *   `RESULTS_VAULT_HEADER` if set, else `<prefix>/include/` for a library in
 *   `<prefix>/lib/` (the path given, or the `LD_LIBRARY_PATH` entry it was found in:
 *   the layout of scripts/install-capi.sh), the repository's `include/` relative to
 *   this package, `/usr/local/include/`, `/usr/include/`.
 *
 * The library's ABI version is checked before the header is bound: a library of
 * another ABI is refused with an {@see AbiMismatchException}.
 *
 * The methods marked `@internal` are the binding's plumbing (calls, errors, ownership
 * of native strings and buffers); use {@see Vault} and {@see Verifier} instead.
 */
final class Library
{
    /** The ABI version (`rv_abi_version()`) this binding was written for. */
    public const ABI_VERSION = 1;

    /** The environment variable naming the library's path. */
    public const ENV_LIBRARY = 'RESULTS_VAULT_LIB';

    /** The environment variable naming the FFI header's path. */
    public const ENV_HEADER = 'RESULTS_VAULT_HEADER';

    /** The header's file name. */
    public const HEADER_NAME = 'results_vault_php.h';

    /** json_encode() flags for every JSON argument. */
    private const ENCODE_FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
        | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR;

    /** json_decode() flags for every JSON answer. */
    private const DECODE_FLAGS = JSON_BIGINT_AS_STRING | JSON_THROW_ON_ERROR;

    /** Declarations read before the header, to check what the library is. */
    private const PROBE = 'uint32_t rv_abi_version(void); const char *rv_version(void);';

    private static ?self $instance = null;

    private function __construct(
        private readonly FFI $ffi,
        private readonly string $library,
        private readonly string $header,
        private readonly string $version,
    ) {
    }

    /**
     * The process-wide library, loaded on first use from the environment and the
     * default locations (see the class comment).
     *
     * @throws LibraryNotFoundException if the library or its header is not found
     * @throws AbiMismatchException     if the library is not of ABI {@see ABI_VERSION}
     * @throws LibraryException         if the header cannot be bound to the library
     */
    public static function instance(): self
    {
        return self::$instance ??= self::fromPreloadedScope() ?? self::load();
    }

    /**
     * The FFI scope of a preloaded library. A server binds the library once at start
     * with `ffi.preload=<prefix>/include/results_vault_php_preload.h` in php.ini (made by
     * scripts/install-capi.sh; it names this scope and the installed library); requests
     * then take it from the scope instead of parsing the header in every request
     * (about 0.3 ms each under PHP-FPM).
     */
    public const FFI_SCOPE = 'RESULTS_VAULT';

    /**
     * The library preloaded under {@see FFI_SCOPE} (`ffi.preload`), if this process has it.
     *
     * @throws AbiMismatchException if the preloaded library is not of ABI {@see ABI_VERSION}
     */
    private static function fromPreloadedScope(): ?self
    {
        if (!extension_loaded('ffi')) {
            return null;
        }
        try {
            $ffi = FFI::scope(self::FFI_SCOPE);
        } catch (FFI\Exception) {
            return null; // not preloaded: load() it
        }
        $abi = (int) $ffi->rv_abi_version();
        if ($abi !== self::ABI_VERSION) {
            throw new AbiMismatchException(
                sprintf('the preloaded library has ABI version %d; this binding needs %d', $abi, self::ABI_VERSION),
                self::ABI_VERSION,
                $abi,
            );
        }
        return new self($ffi, 'FFI scope ' . self::FFI_SCOPE, 'FFI scope ' . self::FFI_SCOPE, (string) $ffi->rv_version());
    }

    /**
     * Loads the library anew, without touching the process-wide instance: for a
     * library or header at an explicit place (or tests of the loading itself). Pass
     * the result to {@see Vault::open()} or {@see Verifier::verifyDetached()}.
     *
     * @param string|null $library a path, or a bare file name for the dynamic loader;
     *                             null: `RESULTS_VAULT_LIB`, then the system
     * @param string|null $header  the path of results_vault_php.h; null:
     *                             `RESULTS_VAULT_HEADER`, then the default places
     *
     * @throws LibraryNotFoundException if the library or its header is not found
     * @throws AbiMismatchException     if the library is not of ABI {@see ABI_VERSION}
     * @throws LibraryException         if the header cannot be bound to the library
     */
    public static function load(?string $library = null, ?string $header = null): self
    {
        if (!extension_loaded('ffi')) {
            throw new LibraryNotFoundException('the PHP extension FFI is not loaded (install php-ffi, set ffi.enable)');
        }
        $library ??= self::env(self::ENV_LIBRARY);
        [$libraryName, $abi, $version] = self::probe($library === null ? self::systemNames() : [$library]);
        if ($abi !== self::ABI_VERSION) {
            throw new AbiMismatchException(
                sprintf(
                    '%s has ABI version %d (results-vault %s); this binding needs ABI version %d',
                    $libraryName,
                    $abi,
                    $version,
                    self::ABI_VERSION,
                ),
                self::ABI_VERSION,
                $abi,
            );
        }
        $headerPath = self::findHeader($header ?? self::env(self::ENV_HEADER), $libraryName);
        $declarations = @file_get_contents($headerPath);
        if ($declarations === false) {
            throw new LibraryNotFoundException("cannot read the FFI header {$headerPath}");
        }
        try {
            $ffi = FFI::cdef($declarations, $libraryName);
        } catch (FFI\ParserException $e) {
            throw new LibraryException("the FFI header {$headerPath} cannot be parsed: {$e->getMessage()}", previous: $e);
        } catch (FFI\Exception $e) {
            if (str_starts_with($e->getMessage(), 'Failed resolving')) {
                throw new AbiMismatchException(
                    "{$libraryName} (ABI " . self::ABI_VERSION . ") lacks a function of {$headerPath}: "
                    . $e->getMessage() . '; the library and the header are of different versions',
                    self::ABI_VERSION,
                    $abi,
                    $e,
                );
            }
            throw new LibraryException("cannot bind {$headerPath} to {$libraryName}: {$e->getMessage()}", previous: $e);
        }
        return new self($ffi, $libraryName, $headerPath, $version);
    }

    /**
     * The library's version (`rv_version()`), e.g. `"0.1.0"`.
     */
    public function version(): string
    {
        return $this->version;
    }

    /**
     * The library's ABI version (`rv_abi_version()`): always {@see ABI_VERSION} once
     * loaded.
     */
    public function abiVersion(): int
    {
        return (int) $this->ffi->rv_abi_version();
    }

    /**
     * What the library was loaded from: the path or the file name given to the
     * dynamic loader.
     */
    public function libraryPath(): string
    {
        return $this->library;
    }

    /**
     * The FFI header the library was bound with.
     */
    public function headerPath(): string
    {
        return $this->header;
    }

    /**
     * The C name of a code (`rv_result_name()`), `"RV_UNKNOWN"` for a value it does
     * not know.
     */
    public function resultName(int $code): string
    {
        return (string) $this->ffi->rv_result_name($code);
    }

    /**
     * The FFI object, for the binding's classes.
     *
     * @internal
     */
    public function ffi(): FFI
    {
        return $this->ffi;
    }

    /**
     * Calls a C function that returns an `rv_result`, and throws if it failed.
     *
     * @internal
     * @throws ResultsVaultException the code's exception
     */
    public function call(string $function, mixed ...$args): void
    {
        $rc = $this->ffi->$function(...$args);
        if ($rc !== 0) {
            throw $this->failure((int) $rc, $function);
        }
    }

    /**
     * Calls a C function whose last parameter is a `char **out_json`, and returns the
     * decoded JSON answer (arrays as PHP arrays). The native string is freed at once.
     *
     * @internal
     * @throws ResultsVaultException the code's exception
     */
    public function callJson(string $function, mixed ...$args): mixed
    {
        return $this->decode($this->callString($function, ...$args), $function);
    }

    /**
     * Calls a C function whose last parameter is a `char **`, and returns a copy of
     * the string it wrote. The native string is freed at once.
     *
     * @internal
     * @throws ResultsVaultException the code's exception
     */
    public function callString(string $function, mixed ...$args): string
    {
        $out = $this->ffi->new('char*');
        $args[] = FFI::addr($out);
        $this->call($function, ...$args);
        return $this->takeString($out);
    }

    /**
     * Calls a C function whose last parameters are `uint8_t **out_bytes, size_t
     * *out_len`, and returns a copy of the bytes. The native buffer is freed at once.
     *
     * @internal
     * @throws ResultsVaultException the code's exception
     */
    public function callBytes(string $function, mixed ...$args): string
    {
        $out = $this->ffi->new('uint8_t*');
        $len = $this->ffi->new('size_t');
        $args[] = FFI::addr($out);
        $args[] = FFI::addr($len);
        $this->call($function, ...$args);
        return $this->takeBytes($out, $len->cdata);
    }

    /**
     * Copies a string the library returned, then frees it (`rv_string_free`).
     *
     * @internal
     */
    public function takeString(CData $out): string
    {
        if (FFI::isNull($out)) {
            return '';
        }
        try {
            return FFI::string($out);
        } finally {
            $this->ffi->rv_string_free($out);
        }
    }

    /**
     * Copies a byte buffer the library returned, then frees it (`rv_bytes_free`).
     *
     * @internal
     */
    public function takeBytes(CData $out, int $len): string
    {
        if (FFI::isNull($out)) {
            return '';
        }
        try {
            return $len === 0 ? '' : FFI::string($out, $len);
        } finally {
            $this->ffi->rv_bytes_free($out, $len);
        }
    }

    /**
     * A native copy of a byte string, for a `const uint8_t *` argument: null for an
     * empty string (the C ABI takes NULL with length 0). The copy is owned by PHP and
     * freed when the returned object is released, so keep it until the call returns.
     *
     * @internal
     */
    public function bytes(string $bytes): ?CData
    {
        $n = strlen($bytes);
        if ($n === 0) {
            return null;
        }
        $buffer = $this->ffi->new("uint8_t[$n]");
        FFI::memcpy($buffer, $bytes, $n);
        return $buffer;
    }

    /**
     * Checks a string for a `const char *` argument: C strings end at the first NUL,
     * so a string holding one would be silently cut; it is refused instead.
     *
     * @internal
     * @throws InvalidArgumentException (`RV_INVALID_ARGUMENT`) if it holds a NUL byte
     */
    public function text(string $value, string $name, ?string $function = null): string
    {
        if (str_contains($value, "\0")) {
            throw new InvalidArgumentException(
                ($function !== null ? "{$function}: " : '') . "{$name} holds a NUL byte",
                ResultCode::InvalidArgument->value,
                null,
                $function,
            );
        }
        return $value;
    }

    /**
     * Encodes a JSON argument (UTF-8, unescaped); a {@see RawJson} is passed as it is.
     *
     * @internal
     * @param array<mixed>|object $value
     * @throws InvalidArgumentException `RV_INVALID_UTF8` for a string that is not UTF-8,
     *                                  `RV_INVALID_JSON` for anything else json_encode() refuses
     */
    public function encode(array|object $value, string $name, ?string $function = null): string
    {
        if ($value instanceof RawJson) {
            return $this->text($value->json, $name, $function);
        }
        try {
            $json = json_encode($value, self::ENCODE_FLAGS);
        } catch (\JsonException $e) {
            $code = $e->getCode() === JSON_ERROR_UTF8 ? ResultCode::InvalidUtf8 : ResultCode::InvalidJson;
            throw new InvalidArgumentException(
                ($function !== null ? "{$function}: " : '') . "{$name} cannot be encoded as JSON: {$e->getMessage()}",
                $code->value,
                null,
                $function,
                $e,
            );
        }
        // json_encode escapes NUL as \u0000: the text never holds one.
        return $json;
    }

    /**
     * Decodes a JSON answer of the library (objects as associative arrays).
     *
     * @internal
     * @throws MalformedDataException if it is not JSON (a bug)
     */
    public function decode(string $json, string $function): mixed
    {
        try {
            return json_decode($json, true, 512, self::DECODE_FLAGS);
        } catch (\JsonException $e) {
            throw new MalformedDataException(
                "{$function}: the library's answer is not JSON: {$e->getMessage()}",
                ResultCode::MalformedData->value,
                null,
                $function,
                $e,
            );
        }
    }

    /**
     * The exception for a failed call: the code, its name and the thread's last error
     * message, copied at once.
     *
     * @internal
     */
    public function failure(int $code, string $function): ResultsVaultException
    {
        $message = (string) $this->ffi->rv_last_error_message();
        return ResultsVaultException::fromCode($code, $this->resultName($code), $message, $function);
    }

    /**
     * An RFC 3339 time for a time argument.
     *
     * @internal
     */
    public static function time(\DateTimeInterface|string $time): string
    {
        if ($time instanceof \DateTimeInterface) {
            return $time->format('Y-m-d\TH:i:s.uP');
        }
        return $time;
    }

    // ---- Loading ----

    private static function env(string $name): ?string
    {
        $value = getenv($name);
        return $value === false || $value === '' ? null : $value;
    }

    /**
     * The names the system's dynamic loader is asked for.
     *
     * @return list<string>
     */
    private static function systemNames(): array
    {
        $abi = self::ABI_VERSION;
        return match (PHP_OS_FAMILY) {
            'Darwin' => ["libresults_vault.{$abi}.dylib", 'libresults_vault.dylib'],
            'Windows' => ['results_vault.dll'],
            default => ["libresults_vault.so.{$abi}"],
        };
    }

    /**
     * Loads the first candidate that the loader accepts, with only the version
     * functions declared, and reads its ABI version.
     *
     * @param list<string> $candidates
     * @return array{0: string, 1: int, 2: string} the name loaded, its ABI, its version
     */
    private static function probe(array $candidates): array
    {
        $failures = [];
        foreach ($candidates as $candidate) {
            $isPath = str_contains($candidate, '/') || str_contains($candidate, DIRECTORY_SEPARATOR);
            if ($isPath && !is_file($candidate)) {
                $failures[] = "{$candidate}: no such file";
                continue;
            }
            try {
                $probe = FFI::cdef(self::PROBE, $candidate);
            } catch (FFI\Exception $e) {
                if (str_starts_with($e->getMessage(), 'Failed resolving')) {
                    throw new AbiMismatchException(
                        "{$candidate} is not a results-vault library (no rv_abi_version): {$e->getMessage()}",
                        self::ABI_VERSION,
                        null,
                        $e,
                    );
                }
                $failures[] = "{$candidate}: {$e->getMessage()}";
                continue;
            }
            return [$candidate, (int) $probe->rv_abi_version(), (string) $probe->rv_version()];
        }
        throw new LibraryNotFoundException(
            'the results-vault library was not found or not loadable (set ' . self::ENV_LIBRARY
            . ' to its path, or install it where the dynamic loader finds it): ' . implode('; ', $failures),
        );
    }

    /**
     * The header: the one given, else the first of the default places that exists.
     */
    private static function findHeader(?string $header, string $library): string
    {
        if ($header !== null) {
            if (!is_file($header)) {
                throw new LibraryNotFoundException("the FFI header {$header} does not exist");
            }
            return $header;
        }
        $candidates = [];
        // Installed under a prefix (scripts/install-capi.sh): <prefix>/lib/libresults_vault.so.1
        // and <prefix>/include/results_vault_php.h.
        if (str_contains($library, '/')) {
            $candidates[] = dirname($library, 2) . '/include/' . self::HEADER_NAME;
        } else {
            // Found by the loader through LD_LIBRARY_PATH: the same layout.
            foreach (explode(PATH_SEPARATOR, (string) self::env('LD_LIBRARY_PATH')) as $dir) {
                if ($dir !== '' && is_file("{$dir}/{$library}")) {
                    $candidates[] = dirname(rtrim($dir, '/')) . '/include/' . self::HEADER_NAME;
                }
            }
        }
        // This package inside the repository: bindings/php/src -> include/.
        $candidates[] = dirname(__DIR__, 3) . '/include/' . self::HEADER_NAME;
        $candidates[] = '/usr/local/include/' . self::HEADER_NAME;
        $candidates[] = '/usr/include/' . self::HEADER_NAME;
        foreach ($candidates as $candidate) {
            if (is_file($candidate)) {
                return $candidate;
            }
        }
        throw new LibraryNotFoundException(
            'the FFI header ' . self::HEADER_NAME . ' was not found (set ' . self::ENV_HEADER
            . ' to its path); looked at: ' . implode(', ', $candidates),
        );
    }
}
