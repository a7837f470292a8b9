using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using k8s;
using RoostKeeper.Ha.Recovery.Encryption;

namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>
/// Reads a stored archive from start to end, once: the file's SHA-256 as stored, decryption when it is
/// encrypted, then each tar entry. <see cref="VerifyAsync"/> checks everything and throws the first
/// problem as a typed <see cref="BackupException"/>; <see cref="ReadObjectsAsync"/> (used by restore after a
/// verification) re-checks each object against the verified manifest as it hands it out.
/// </summary>
internal static class BackupArchiveReader
{
    /// <summary>Verifies the whole archive against <paramref name="info"/> without keeping objects in memory.</summary>
    public static async Task<VerifiedArchive> VerifyAsync(BackupInfo info, Stream stored, BackupEncryptionKey? key, IKubernetes client, IProgress<long>? objectsRead, CancellationToken cancellationToken)
    {
        if (info.FormatVersion != RecoveryConstants.FormatVersion)
        {
            throw new UnsupportedBackupFormatException(info.Id, info.FormatVersion);
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        BackupManifest? manifest = null;
        var hashing = new HashingStream(stored, leaveOpen: true);
        await using (hashing.ConfigureAwait(false))
        {
            try
            {
                var plain = await OpenPlainAsync(info, hashing, key, client, cancellationToken).ConfigureAwait(false);
                await using (plain.ConfigureAwait(false))
                {
                    var tar = new TarReader(plain, leaveOpen: true);
                    await using (tar.ConfigureAwait(false))
                    {
                        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                        {
                            if (manifest is not null)
                            {
                                throw new BackupIntegrityException(info.Id, BackupProblem.UnexpectedObject, $"Entry {entry.Name} follows the manifest, which must be the last entry.", objectPath: entry.Name);
                            }

                            var data = await ReadDataAsync(entry, cancellationToken).ConfigureAwait(false);
                            if (entry.Name == RecoveryConstants.ManifestEntryName)
                            {
                                manifest = ParseManifest(info.Id, data);
                                continue;
                            }

                            ParseObject(info.Id, entry.Name, data);
                            if (!seen.TryAdd(entry.Name, Sha256Hex.Of(data)))
                            {
                                throw new BackupIntegrityException(info.Id, BackupProblem.UnexpectedObject, $"Object {entry.Name} appears twice.", objectPath: entry.Name);
                            }

                            order.Add(entry.Name);
                            objectsRead?.Report(order.Count);
                        }
                    }

                    // Drain the tar's end blocks (and the final chunk of an encrypted archive) so every stored byte is hashed.
                    await plain.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                }

                await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsReadFailure(e))
            {
                throw await ReadFailureAsync(info, hashing, e, cancellationToken).ConfigureAwait(false);
            }

            return Check(info, manifest, seen, order, hashing);
        }
    }

    /// <summary>
    /// Reads objects in archive order, checking each against the verified manifest; the manifest entry is
    /// skipped. The enumeration ends normally only when every manifest object was handed out once and the
    /// archive was read to its end with the size and SHA-256 its info records; anything else (a shorter or
    /// changed archive served on this second read) is a <see cref="BackupIntegrityException"/>.
    /// </summary>
    public static async IAsyncEnumerable<ArchiveObject> ReadObjectsAsync(VerifiedArchive verified, Stream stored, BackupEncryptionKey? key, IKubernetes client, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var info = verified.Info;
        var handedOut = new HashSet<string>(StringComparer.Ordinal);
        var hashing = new HashingStream(stored, leaveOpen: true);
        await using (hashing.ConfigureAwait(false))
        {
            var plain = await OpenPlainAsync(info, hashing, key, client, cancellationToken).ConfigureAwait(false);
            await using (plain.ConfigureAwait(false))
            {
                var tar = new TarReader(plain, leaveOpen: true);
                await using (tar.ConfigureAwait(false))
                {
                    var manifestSeen = false;
                    while (true)
                    {
                        ArchiveObject item;
                        try
                        {
                            if (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is not { } entry)
                            {
                                break;
                            }

                            if (manifestSeen)
                            {
                                throw new BackupIntegrityException(info.Id, BackupProblem.UnexpectedObject, $"Entry {entry.Name} follows the manifest in the archive read for the restore.", objectPath: entry.Name);
                            }

                            if (entry.Name == RecoveryConstants.ManifestEntryName)
                            {
                                manifestSeen = true;
                                await ReadDataAsync(entry, cancellationToken).ConfigureAwait(false);
                                continue;
                            }

                            var data = await ReadDataAsync(entry, cancellationToken).ConfigureAwait(false);
                            var sha = Sha256Hex.Of(data);
                            var expected = verified.Find(entry.Name);
                            if (expected is null || expected.Sha256 != sha)
                            {
                                throw new BackupIntegrityException(info.Id, BackupProblem.ObjectHashMismatch, $"Object {entry.Name} changed in the store after the backup was validated; the restore stopped at it.", objectPath: entry.Name, expectedSha256: expected?.Sha256, actualSha256: sha);
                            }

                            if (!handedOut.Add(entry.Name))
                            {
                                throw new BackupIntegrityException(info.Id, BackupProblem.UnexpectedObject, $"Object {entry.Name} appears twice in the archive read for the restore.", objectPath: entry.Name, actualSha256: sha);
                            }

                            item = new ArchiveObject(entry.Name, data, sha);
                        }
                        catch (Exception e) when (IsReadFailure(e))
                        {
                            throw await ReadFailureAsync(info, hashing, e, cancellationToken).ConfigureAwait(false);
                        }

                        yield return item;
                    }

                    try
                    {
                        // The end: what was handed out must be all of the manifest, and the stored bytes (end
                        // blocks, the final chunk) must be those validated, or a well-formed but shorter or other
                        // archive would end the restore as if it were complete.
                        await plain.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                        await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (IsReadFailure(e))
                    {
                        throw await ReadFailureAsync(info, hashing, e, cancellationToken).ConfigureAwait(false);
                    }

                    if (verified.Manifest.Objects.FirstOrDefault(o => !handedOut.Contains(o.Path)) is { } missing)
                    {
                        var shorter = hashing.BytesSeen < info.ArchiveSizeBytes;
                        throw new BackupIntegrityException(info.Id, shorter ? BackupProblem.Truncated : BackupProblem.MissingObject, $"The archive read for the restore ended ({hashing.BytesSeen} of {info.ArchiveSizeBytes} bytes) without object {missing.Path} and {verified.Manifest.Objects.Count - handedOut.Count - 1} more that the validated manifest lists.", objectPath: missing.Path, expectedSha256: missing.Sha256);
                    }

                    var actual = hashing.HashHex();
                    if (!manifestSeen || hashing.BytesSeen != info.ArchiveSizeBytes || !string.Equals(actual, info.ArchiveSha256, StringComparison.Ordinal))
                    {
                        throw new BackupIntegrityException(info.Id, BackupProblem.ArchiveHashMismatch, $"The archive read for the restore has SHA-256 {actual} ({hashing.BytesSeen} bytes); {info.ArchiveSha256} ({info.ArchiveSizeBytes} bytes) was validated.", expectedSha256: info.ArchiveSha256, actualSha256: actual);
                    }
                }
            }
        }
    }

    private static bool IsReadFailure(Exception e) =>
        e is EndOfStreamException or InvalidDataException or FormatException or ArgumentException or CryptographicException;

    /// <summary>
    /// Names a failure to read the archive by the facts: the rest of the stored archive is read so that its
    /// size and hash are known. A chunk that fails authentication is a changed archive (a flipped bit, chunks
    /// swapped, dropped, duplicated or taken from another backup); fewer bytes than were written is a
    /// truncation; as many with another hash is a changed archive; the very archive written, unreadable, is
    /// <see cref="BackupProblem.Unreadable"/>.
    /// </summary>
    private static async Task<BackupIntegrityException> ReadFailureAsync(BackupInfo info, HashingStream hashing, Exception e, CancellationToken cancellationToken)
    {
        try
        {
            await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The size and hash then cover what could be read; the failure is named from that.
        }

        var actual = hashing.HashHex();
        if (e is CryptographicException)
        {
            return new BackupIntegrityException(info.Id, BackupProblem.ArchiveHashMismatch, $"The encrypted archive failed authentication ({e.Message}): it was changed after it was written.", e, expectedSha256: info.ArchiveSha256, actualSha256: actual);
        }

        if (hashing.BytesSeen < info.ArchiveSizeBytes)
        {
            return new BackupIntegrityException(info.Id, BackupProblem.Truncated, $"The archive ends after {hashing.BytesSeen} of the {info.ArchiveSizeBytes} bytes written: {e.Message}", e, expectedSha256: info.ArchiveSha256, actualSha256: actual);
        }

        if (hashing.BytesSeen != info.ArchiveSizeBytes || !string.Equals(actual, info.ArchiveSha256, StringComparison.Ordinal))
        {
            return new BackupIntegrityException(info.Id, BackupProblem.ArchiveHashMismatch, $"The archive cannot be read ({e.Message}) and its SHA-256 is {actual} ({hashing.BytesSeen} bytes); {info.ArchiveSha256} ({info.ArchiveSizeBytes} bytes) was recorded when it was written.", e, expectedSha256: info.ArchiveSha256, actualSha256: actual);
        }

        return new BackupIntegrityException(info.Id, BackupProblem.Unreadable, $"The archive cannot be read to its end after {hashing.BytesSeen} of {info.ArchiveSizeBytes} bytes: {e.Message}", e);
    }

    private static async Task<Stream> OpenPlainAsync(BackupInfo info, Stream stored, BackupEncryptionKey? key, IKubernetes client, CancellationToken cancellationToken)
    {
        if (info.Encryption is null)
        {
            // A wrapper only so that disposing the plain stream leaves the stored one open; the stored bytes
            // are hashed (once) by the caller when it verifies.
            return new HashingStream(stored, leaveOpen: true, hash: false);
        }

        var header = await EncryptionHeader.ReadAsync(stored, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupIntegrityException(info.Id, BackupProblem.Unreadable, "The backup is recorded as encrypted but the archive does not start with the encryption header.");
        if (!string.Equals(header.KeyIdHex, info.Encryption.KeyId, StringComparison.Ordinal))
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.ManifestMismatch, $"The archive was encrypted with key {header.KeyIdHex} but the backup's info records key {info.Encryption.KeyId}: the info belongs to another backup.");
        }

        if (key is null)
        {
            throw new BackupKeyException(info.Id, header.KeyIdHex, null);
        }

        var resolved = await key.ResolveAsync(client, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(resolved.Id, header.KeyIdHex, StringComparison.Ordinal))
        {
            throw new BackupKeyException(info.Id, header.KeyIdHex, resolved.Id);
        }

        return new AesGcmDecryptingStream(stored, resolved.Key, header);
    }

    private static async Task<byte[]> ReadDataAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
        {
            throw new InvalidDataException($"Entry {entry.Name} is a {entry.EntryType}, not a file.");
        }

        if (entry.DataStream is null)
        {
            return [];
        }

        var data = new byte[entry.Length];
        await entry.DataStream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
        return data;
    }

    private static BackupManifest ParseManifest(string backupId, byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.TryGetProperty("formatVersion", out var version) && version.TryGetInt32(out var v) && v != RecoveryConstants.FormatVersion)
            {
                throw new UnsupportedBackupFormatException(backupId, v);
            }

            return document.Deserialize<BackupManifest>(ManifestJson.Options) ?? throw new JsonException("The manifest is null.");
        }
        catch (JsonException e)
        {
            throw new BackupIntegrityException(backupId, BackupProblem.Unreadable, $"manifest.json is not a valid manifest: {e.Message}", e, objectPath: RecoveryConstants.ManifestEntryName);
        }
    }

    private static void ParseObject(string backupId, string path, byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("metadata", out _))
            {
                throw new JsonException("not a Kubernetes object (no metadata)");
            }
        }
        catch (JsonException e)
        {
            throw new BackupIntegrityException(backupId, BackupProblem.Unreadable, $"Object {path} is not valid JSON: {e.Message}", e, objectPath: path, actualSha256: Sha256Hex.Of(data));
        }
    }

    private static VerifiedArchive Check(BackupInfo info, BackupManifest? manifest, Dictionary<string, string> seen, List<string> order, HashingStream hashing)
    {
        var actualArchiveSha = hashing.HashHex();
        if (manifest is null && hashing.BytesSeen < info.ArchiveSizeBytes)
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.Truncated, $"The archive ends after {hashing.BytesSeen} bytes, before its manifest; {info.ArchiveSizeBytes} were written.", expectedSha256: info.ArchiveSha256, actualSha256: actualArchiveSha);
        }

        if (manifest is null)
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.MissingManifest, "The archive has no manifest.json (it was cut short or is not a RoostKeeper.Ha backup).");
        }

        if (manifest.FormatVersion != RecoveryConstants.FormatVersion)
        {
            throw new UnsupportedBackupFormatException(info.Id, manifest.FormatVersion);
        }

        if (!string.Equals(manifest.Id, info.Id, StringComparison.Ordinal))
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.ManifestMismatch, $"The archive's manifest is that of backup {manifest.Id}, not {info.Id}.");
        }

        if (manifest.Encryption != info.Encryption)
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.ManifestMismatch, $"The manifest records encryption {Describe(manifest.Encryption)} but the backup's info records {Describe(info.Encryption)}: the info belongs to another backup.");
        }

        foreach (var expected in manifest.Objects)
        {
            if (!seen.TryGetValue(expected.Path, out var actual))
            {
                throw new BackupIntegrityException(info.Id, BackupProblem.MissingObject, $"Object {expected.Path} is listed in the manifest but missing from the archive.", objectPath: expected.Path, expectedSha256: expected.Sha256);
            }

            if (!string.Equals(actual, expected.Sha256, StringComparison.Ordinal))
            {
                throw new BackupIntegrityException(info.Id, BackupProblem.ObjectHashMismatch, $"Object {expected.Path} has SHA-256 {actual}; the manifest records {expected.Sha256}.", objectPath: expected.Path, expectedSha256: expected.Sha256, actualSha256: actual);
            }
        }

        if (seen.Count != manifest.Objects.Count)
        {
            var listed = manifest.Objects.Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
            var extra = order.First(p => !listed.Contains(p));
            throw new BackupIntegrityException(info.Id, BackupProblem.UnexpectedObject, $"Object {extra} is in the archive but not in the manifest.", objectPath: extra, actualSha256: seen[extra]);
        }

        using (var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            foreach (var path in order)
            {
                content.AppendData(Encoding.UTF8.GetBytes($"{path}\n{seen[path]}\n"));
            }

            var contentSha = Sha256Hex.Format(content.GetHashAndReset());
            if (!string.Equals(contentSha, manifest.ContentSha256, StringComparison.Ordinal))
            {
                throw new BackupIntegrityException(info.Id, BackupProblem.ContentHashMismatch, $"The objects' content hash is {contentSha}; the manifest records {manifest.ContentSha256}: the manifest was edited after it was written.", objectPath: RecoveryConstants.ManifestEntryName, expectedSha256: manifest.ContentSha256, actualSha256: contentSha);
            }
        }

        if (!string.Equals(actualArchiveSha, info.ArchiveSha256, StringComparison.Ordinal) || hashing.BytesSeen != info.ArchiveSizeBytes)
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.ArchiveHashMismatch, $"The archive's SHA-256 is {actualArchiveSha} ({hashing.BytesSeen} bytes); {info.ArchiveSha256} ({info.ArchiveSizeBytes} bytes) was recorded when it was written.", expectedSha256: info.ArchiveSha256, actualSha256: actualArchiveSha);
        }

        var counts = manifest.ResourceTypes.Sum(t => t.Count);
        if (counts != manifest.Objects.Count || info.ObjectCount != manifest.Objects.Count)
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.ManifestMismatch, $"The manifest lists {manifest.Objects.Count} objects, its type counts add to {counts} and the backup's info records {info.ObjectCount}.");
        }

        return new VerifiedArchive(info, manifest);
    }

    private static string Describe(BackupEncryptionInfo? encryption) =>
        encryption is null ? "none" : $"{encryption.Algorithm} with key {encryption.KeyId}";
}
