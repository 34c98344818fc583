<?php

declare(strict_types=1);

namespace ResultsVault\Tests;

use ResultsVault\Exception\AbiMismatchException;
use ResultsVault\Exception\LibraryException;
use ResultsVault\Exception\LibraryNotFoundException;
use ResultsVault\Exception\ResultsVaultException;
use ResultsVault\Library;
use ResultsVault\ResultCode;
use ResultsVault\Vault;

/**
 * Finding and loading the library, and refusing the wrong one.
 */
final class LibraryTest extends TestCase
{
    /** @var array<string, string|false> environment variables to restore */
    private array $savedEnv = [];

    protected function tearDown(): void
    {
        foreach ($this->savedEnv as $name => $value) {
            putenv($value === false ? $name : "{$name}={$value}");
        }
        $this->savedEnv = [];
        parent::tearDown();
    }

    private function setEnv(string $name, ?string $value): void
    {
        if (!array_key_exists($name, $this->savedEnv)) {
            $this->savedEnv[$name] = getenv($name);
        }
        putenv($value === null ? $name : "{$name}={$value}");
    }

    private static function libraryUnderTest(): string
    {
        $lib = getenv(Library::ENV_LIBRARY);
        self::assertIsString($lib, 'the tests run with ' . Library::ENV_LIBRARY . ' set');
        return $lib;
    }

    public function testTheLibraryLoadsWithItsVersionAndHeader(): void
    {
        $lib = Library::instance();
        self::assertSame($lib, Library::instance(), 'one instance per process');
        self::assertSame(Library::ABI_VERSION, $lib->abiVersion());
        self::assertSame(1, $lib->abiVersion());
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', $lib->version());
        self::assertSame(self::libraryUnderTest(), $lib->libraryPath());
        self::assertFileExists($lib->headerPath());
        self::assertSame(Library::HEADER_NAME, basename($lib->headerPath()));
        self::assertSame('RV_NOT_FOUND', $lib->resultName(6));
        self::assertSame('RV_UNKNOWN', $lib->resultName(1000));
    }

    public function testResultCodeNamesMatchTheLibrary(): void
    {
        $lib = Library::instance();
        foreach (ResultCode::cases() as $code) {
            self::assertSame($lib->resultName($code->value), $code->cName(), $code->name);
        }
        self::assertCount(27, ResultCode::cases());
        self::assertSame('RV_UNKNOWN', $lib->resultName(27), 'no code this binding does not know');
    }

    public function testAnUnknownCodeIsTheBaseException(): void
    {
        $e = ResultsVaultException::fromCode(42, 'RV_UNKNOWN', 'from the future', 'rv_vault_get');
        self::assertSame(ResultsVaultException::class, get_class($e));
        self::assertSame(42, $e->getRvCode());
        self::assertNull($e->getResultCode());
        self::assertSame('rv_vault_get: from the future', $e->getMessage());
    }

    public function testLoadWithExplicitPathsIsANewInstance(): void
    {
        $header = dirname(__DIR__, 3) . '/include/results_vault_php.h';
        $lib = Library::load(self::libraryUnderTest(), $header);
        self::assertNotSame(Library::instance(), $lib);
        self::assertSame($header, $lib->headerPath());
        // A vault opened through it works.
        $vault = $this->track(Vault::open($this->tempDir() . '/explicit.vault', [], $lib));
        self::assertSame($lib, $vault->library());
        self::assertSame([], $vault->trustItems());
    }

    public function testTheHeaderIsFoundWithoutTheEnvironment(): void
    {
        // Beside an installed library (<prefix>/lib → <prefix>/include), else the repository's.
        $this->setEnv(Library::ENV_HEADER, null);
        $lib = Library::load(self::libraryUnderTest());
        $installed = dirname(self::libraryUnderTest(), 2) . '/include/results_vault_php.h';
        $repository = dirname(__DIR__, 3) . '/include/results_vault_php.h';
        $expected = is_file($installed) ? $installed : $repository;
        self::assertSame(realpath($expected), realpath($lib->headerPath()));
        self::assertSame(file_get_contents($repository), file_get_contents($lib->headerPath()));
    }

    public function testTheHeaderIsFoundBesideAnInstalledLibrary(): void
    {
        // <prefix>/lib/libresults_vault.so.1 and <prefix>/include/results_vault_php.h.
        $prefix = $this->tempDir();
        mkdir("{$prefix}/lib");
        mkdir("{$prefix}/include");
        symlink(realpath(self::libraryUnderTest()), "{$prefix}/lib/libresults_vault.so.1");
        copy(dirname(__DIR__, 3) . '/include/results_vault_php.h', "{$prefix}/include/results_vault_php.h");
        $this->setEnv(Library::ENV_HEADER, null);
        $this->setEnv(Library::ENV_LIBRARY, "{$prefix}/lib/libresults_vault.so.1");
        $lib = Library::load();
        self::assertSame("{$prefix}/lib/libresults_vault.so.1", $lib->libraryPath());
        self::assertSame("{$prefix}/include/results_vault_php.h", $lib->headerPath());
    }

    public function testTheSystemLoaderFindsTheSonameWithItsHeader(): void
    {
        // Installed as scripts/install-capi.sh does, found by the dynamic loader through
        // LD_LIBRARY_PATH (read by the loader at process start: a child process).
        $prefix = $this->tempDir();
        mkdir("{$prefix}/lib");
        mkdir("{$prefix}/include");
        copy(self::libraryUnderTest(), "{$prefix}/lib/libresults_vault.so.1");
        copy(dirname(__DIR__, 3) . '/include/results_vault_php.h', "{$prefix}/include/results_vault_php.h");
        $src = dirname(__DIR__) . '/src';
        $code = <<<'PHP'
            spl_autoload_register(static function (string $c): void {
                $f = getenv('RV_SRC') . '/' . str_replace('\\', '/', substr($c, strlen('ResultsVault\\'))) . '.php';
                if (is_file($f)) { require $f; }
            });
            $lib = ResultsVault\Library::instance();
            echo json_encode([$lib->libraryPath(), $lib->headerPath(), $lib->abiVersion()]);
            PHP;
        $env = getenv();
        unset($env[Library::ENV_LIBRARY], $env[Library::ENV_HEADER]);
        $env['LD_LIBRARY_PATH'] = "{$prefix}/lib";
        $env['RV_SRC'] = $src;
        $process = proc_open([PHP_BINARY, '-d', 'ffi.enable=1', '-r', $code], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        self::assertIsResource($process);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        self::assertSame(0, proc_close($process), $err . $out);
        self::assertSame(
            ['libresults_vault.so.1', "{$prefix}/include/results_vault_php.h", 1],
            json_decode((string) $out, true, 512, JSON_THROW_ON_ERROR),
        );
    }

    public function testAPreloadedScopeIsUsedWithoutParsingTheHeaderAgain(): void
    {
        // A server preloads the library once (ffi.preload, with a header naming the scope
        // and the library, as scripts/install-capi.sh writes it); a request gets it from
        // the FFI scope and uses it.
        $src = dirname(__DIR__) . '/src';
        $dir = $this->tempDir();
        $header = dirname(__DIR__, 3) . '/include/results_vault_php.h';
        file_put_contents(
            "{$dir}/results_vault_php_preload.h",
            '#define FFI_SCOPE "' . Library::FFI_SCOPE . "\"\n#define FFI_LIB \"" . self::libraryUnderTest() . "\"\n"
            . file_get_contents($header),
        );
        file_put_contents("{$dir}/request.php", <<<'PHP'
            <?php
            spl_autoload_register(static function (string $c): void {
                $f = getenv('RV_SRC') . '/' . str_replace('\\', '/', substr($c, strlen('ResultsVault\\'))) . '.php';
                if (is_file($f)) { require $f; }
            });
            $lib = ResultsVault\Library::instance();
            $vault = ResultsVault\Vault::open(__DIR__ . '/preloaded.vault');
            echo json_encode([$lib->headerPath(), $lib->abiVersion(), $vault->trustItems()]);
            PHP);
        $env = getenv();
        unset($env[Library::ENV_LIBRARY], $env[Library::ENV_HEADER]);
        $env['RV_SRC'] = $src;
        $command = [PHP_BINARY, '-d', 'ffi.enable=preload', '-d', "ffi.preload={$dir}/results_vault_php_preload.h",
            "{$dir}/request.php"];
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        self::assertIsResource($process);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        self::assertSame(0, proc_close($process), $err . $out);
        self::assertSame(
            ['FFI scope ' . Library::FFI_SCOPE, 1, []],
            json_decode((string) $out, true, 512, JSON_THROW_ON_ERROR),
        );
    }

    public function testAMissingLibraryIsNotFound(): void
    {
        $this->setEnv(Library::ENV_LIBRARY, '/nonexistent/libresults_vault.so.1');
        try {
            Library::load();
            self::fail('a missing library was loaded');
        } catch (LibraryNotFoundException $e) {
            self::assertStringContainsString('/nonexistent/libresults_vault.so.1', $e->getMessage());
            self::assertStringContainsString(Library::ENV_LIBRARY, $e->getMessage());
            self::assertNull($e->getRvCode());
            self::assertNull($e->getRvName());
            self::assertInstanceOf(LibraryException::class, $e);
            self::assertInstanceOf(ResultsVaultException::class, $e);
        }
        // A name the dynamic loader does not know.
        $this->expectException(LibraryNotFoundException::class);
        Library::load('libresults_vault_no_such_name.so.1');
    }

    public function testAFileThatIsNoLibraryIsNotFound(): void
    {
        $this->expectException(LibraryNotFoundException::class);
        $this->expectExceptionMessageMatches('/not found or not loadable/');
        Library::load(dirname(__DIR__, 3) . '/include/results_vault_php.h');
    }

    public function testAMissingOrBrokenHeaderIsRefused(): void
    {
        $this->setEnv(Library::ENV_HEADER, '/nonexistent/results_vault_php.h');
        try {
            Library::load(self::libraryUnderTest());
            self::fail('a missing header was accepted');
        } catch (LibraryNotFoundException $e) {
            self::assertStringContainsString('/nonexistent/results_vault_php.h', $e->getMessage());
        }
        $broken = $this->tempDir() . '/broken.h';
        file_put_contents($broken, "#include <stdint.h>\nthis is not C;\n");
        $this->expectException(LibraryException::class);
        $this->expectExceptionMessageMatches('/cannot be parsed/');
        Library::load(self::libraryUnderTest(), $broken);
    }

    public function testALibraryOfAnotherAbiIsRefused(): void
    {
        $lib = $this->fakeLibrary('abi2', 'unsigned int rv_abi_version(void) { return 2; } const char *rv_version(void) { return "9.0.0"; }');
        try {
            Library::load($lib);
            self::fail('a library of ABI 2 was loaded');
        } catch (AbiMismatchException $e) {
            self::assertSame(1, $e->getExpectedVersion());
            self::assertSame(2, $e->getActualVersion());
            self::assertStringContainsString('ABI version 2', $e->getMessage());
            self::assertStringContainsString('9.0.0', $e->getMessage());
            self::assertInstanceOf(LibraryException::class, $e);
        }
    }

    public function testALibraryLackingFunctionsIsRefused(): void
    {
        // Claims ABI 1, but lacks every other function of the header.
        $lib = $this->fakeLibrary('partial', 'unsigned int rv_abi_version(void) { return 1; } const char *rv_version(void) { return "0.0.1"; }');
        try {
            Library::load($lib);
            self::fail('a library lacking functions was loaded');
        } catch (AbiMismatchException $e) {
            self::assertSame(1, $e->getActualVersion());
            self::assertStringContainsString('lacks a function', $e->getMessage());
        }
    }

    public function testASharedLibraryThatIsNotResultsVaultIsRefused(): void
    {
        $lib = $this->fakeLibrary('other', 'int something_else(void) { return 0; }');
        try {
            Library::load($lib);
            self::fail('another library was loaded');
        } catch (AbiMismatchException $e) {
            self::assertNull($e->getActualVersion());
            self::assertStringContainsString('not a results-vault library', $e->getMessage());
        }
    }

    /**
     * A shared library compiled from `$source` with the system's C compiler.
     */
    private function fakeLibrary(string $name, string $source): string
    {
        $cc = trim((string) shell_exec('command -v cc || command -v gcc'));
        if ($cc === '') {
            self::markTestSkipped('a C compiler is needed to make a fake library');
        }
        $dir = $this->tempDir();
        file_put_contents("{$dir}/{$name}.c", $source . "\n");
        self::runCommand([$cc, '-shared', '-fPIC', '-o', "{$dir}/lib{$name}.so", "{$dir}/{$name}.c"]);
        return "{$dir}/lib{$name}.so";
    }
}
