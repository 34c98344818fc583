<?php

declare(strict_types=1);

namespace ResultsVault;

/**
 * JSON text handed to the library as it is, for any JSON argument of {@see Vault} or
 * {@see Verifier} (metadata, queries, requesters, changes, options, params): for JSON
 * that arrives already encoded, e.g. from a portal's request body. The library parses
 * and checks it; text that is not JSON, or not of the expected shape, is an
 * {@see Exception\InvalidArgumentException} with code `RV_INVALID_JSON`.
 */
final class RawJson
{
    /**
     * @param string $json the JSON text (UTF-8)
     */
    public function __construct(public readonly string $json)
    {
    }
}
