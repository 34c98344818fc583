<?php

declare(strict_types=1);

namespace ResultsVault\Exception;

/**
 * The base of the failures of signing through a remote provider (`RV_PROVIDER_*`, codes
 * 21–26): {@see \ResultsVault\Vault::signRemote()} and
 * {@see \ResultsVault\Vault::resumeRemote()}. Catch a subclass for one outcome, or this
 * class for all of them.
 *
 * When the failure happened after the signing session was begun, the library's message
 * names it (`signing session <id>`) and {@see getSessionId()} returns it: resume it with
 * {@see \ResultsVault\Vault::resumeRemote()} (after a {@see ProviderPendingException}) or
 * look at it with {@see \ResultsVault\Vault::remoteRequest()}. Provider secrets never
 * appear in the message.
 */
class ProviderException extends ResultsVaultException
{
    /**
     * The signing session the message names (a 26-character ULID), or null when the
     * failure came before a session was begun (configuration, certificate lookup).
     */
    public function getSessionId(): ?string
    {
        return preg_match('/signing session ([0-9A-HJKMNP-TV-Z]{26})\b/', $this->getMessage(), $m) === 1
            ? $m[1]
            : null;
    }
}
