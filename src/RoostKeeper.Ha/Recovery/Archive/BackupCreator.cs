using System.Text.Json;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Recovery.Encryption;
using RoostKeeper.Ha.Recovery.Resources;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>
/// Writes one backup: pages through every included type (limit/continue), in restore order, streaming each
/// object into the archive, through encryption when on, into the store's upload, hashing the stored bytes
/// on the way; then commits the upload with the finished <see cref="BackupInfo"/>. Memory holds one page.
/// </summary>
internal sealed class BackupCreator(ResourceClient resources, BackupOptions options, IBackupStore store, k8s.IKubernetes client, TimeProvider time, ILogger logger)
{
    /// <summary>Attempts per API read: a transient error (5xx, 429, time-out, network) is retried twice, with a short back-off, before the backup fails.</summary>
    internal const int ReadAttempts = 3;

    public static readonly string LibraryVersion =
        typeof(BackupCreator).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// Writes the backup and commits it. With <paramref name="verifyStaged"/>, a store that can stage an
    /// archive has it validated before the commit (so the backup lists only once validated); the result says
    /// whether that happened.
    /// </summary>
    public async Task<(BackupInfo Info, bool Verified)> CreateAsync(string id, DateTimeOffset createdAt, DateTimeOffset? scheduledFor, Func<BackupInfo, Stream, Task>? verifyStaged, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        BackupEncryptionInfo? encryption = null;
        BackupEncryptionKey.ResolvedKey? key = null;
        if (options.EncryptionKey is { } source)
        {
            key = await ReadAsync(id, "the encryption key", ct => source.ResolveAsync(client, ct), cancellationToken).ConfigureAwait(false);
            encryption = new BackupEncryptionInfo(RecoveryConstants.EncryptionAlgorithm, key.Id, AesGcmChunks.DefaultChunkSize);
        }

        var upload = await store.BeginUploadAsync(id, cancellationToken).ConfigureAwait(false);
        await using (upload.ConfigureAwait(false))
        {
            var stored = new HashingStream(upload.Content, leaveOpen: true);
            await using (stored.ConfigureAwait(false))
            {
                AesGcmEncryptingStream? encrypting = key is null ? null : new AesGcmEncryptingStream(stored, key.Key, EncryptionHeader.Create(key.Id, AesGcmChunks.DefaultChunkSize));

                // The tar writer writes each header and object in pieces of 512 bytes or less; hashing and storing
                // them in 64 KiB blocks instead costs far less per object (the encryptor already works in 64 KiB chunks).
                var buffered = encrypting is null ? new BufferedStream(stored, AesGcmChunks.DefaultChunkSize) : null;
                var archiveStream = (Stream?)encrypting ?? buffered!;
                var writer = new BackupArchiveWriter(archiveStream, createdAt);
                await using (writer.ConfigureAwait(false))
                {
                    var plan = BackupPlan.From(options);
                    var seen = new HashSet<(string Group, string Plural, string? Namespace, string Name)>();
                    foreach (var type in plan.Types)
                    {
                        await WriteTypeAsync(id, writer, type, plan.NeedsSeenSet(type.Type) ? seen : null, progress, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.FinishAsync(id, options.ClusterName, LibraryVersion, encryption, cancellationToken).ConfigureAwait(false);
                }

                if (encrypting is not null)
                {
                    await encrypting.FinishAsync(cancellationToken).ConfigureAwait(false);
                    await encrypting.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    await buffered!.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                await stored.FlushAsync(cancellationToken).ConfigureAwait(false);
                var info = new BackupInfo
                {
                    Id = id,
                    CreatedAt = createdAt,
                    ScheduledFor = scheduledFor,
                    SourceCluster = options.ClusterName,
                    Namespaces = [.. writer.Namespaces],
                    ResourceTypes = writer.ResourceTypes,
                    ArchiveSizeBytes = stored.BytesSeen,
                    ArchiveSha256 = stored.HashHex(),
                    FormatVersion = RecoveryConstants.FormatVersion,
                    LibraryVersion = LibraryVersion,
                    Encryption = encryption,
                };
                var verified = false;
                if (verifyStaged is not null && await upload.StageAsync(info, cancellationToken).ConfigureAwait(false) is { } staged)
                {
                    await using (staged.ConfigureAwait(false))
                    {
                        await verifyStaged(info, staged).ConfigureAwait(false);
                    }

                    verified = true;
                }

                await upload.CommitAsync(info, cancellationToken).ConfigureAwait(false);
                return (info, verified);
            }
        }
    }

    private async Task WriteTypeAsync(string id, BackupArchiveWriter writer, PlannedType item, HashSet<(string Group, string Plural, string? Namespace, string Name)>? seen, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var (type, definition) = item;
        writer.BeginType(type, ResourceClient.KindOf(type));
        if (definition is not null)
        {
            var crd = await ReadAsync(id, $"CustomResourceDefinition {definition}", ct => resources.GetAsync(type, null, definition, ct), cancellationToken).ConfigureAwait(false);
            if (crd is null)
            {
                RecoveryLog.DefinitionMissing(logger, id, definition);
                return;
            }

            if (seen?.Add((type.Group, type.Plural, null, definition)) is not false)
            {
                await writer.AddObjectAsync(null, definition, JsonSerializer.SerializeToUtf8Bytes(crd), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        string? continueToken = null;
        var kindSet = false;
        do
        {
            var token = continueToken;
            var page = await ReadAsync(id, type.ToString(), ct => resources.ListAsync(type, options.PageSize, token, ct), cancellationToken).ConfigureAwait(false);
            foreach (var obj in page.Items)
            {
                if (!kindSet)
                {
                    writer.SetKind(obj.Kind);
                    kindSet = true;
                }

                if (seen?.Add((type.Group, type.Plural, obj.Namespace, obj.Name)) is false)
                {
                    continue; // already written by an overlapping include of the same type
                }

                await writer.AddObjectAsync(obj.Namespace, obj.Name, obj.Json, cancellationToken).ConfigureAwait(false);
            }

            progress?.Report(new BackupProgress(type.ToString(), writer.ObjectCount, writer.ObjectBytes));
            continueToken = page.Continue;
        }
        while (continueToken is not null);
    }

    /// <summary>
    /// One API read of the backup, retried on a transient error; a failure that remains becomes a typed
    /// <see cref="BackupFailedException"/> naming what was being read (the caller's cancellation stays a cancellation).
    /// </summary>
    private async Task<T> ReadAsync<T>(string id, string reading, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < ReadAttempts && KubernetesApiErrors.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Expired)
            {
                // The continue token expired (the server compacted past it): a consistent snapshot of this type
                // is no longer possible, so the backup fails rather than silently mixing two snapshots.
                throw new BackupFailedException(id, reading, KubernetesApiErrors.StatusCode(e), isTransient: true, $"Backup {id} failed: listing {reading} took longer than the API server keeps a list snapshot (410 Gone on continue). Nothing was stored. Retry the backup, or lower BackupOptions.PageSize.", e);
            }
            catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                var transient = KubernetesApiErrors.IsTransient(e);
                var advice = transient
                    ? $"The API server or the network failed {ReadAttempts} times in a row; retry the backup when the API server is reachable."
                    : "Retrying will not help until this is fixed (permissions, a missing resource type, or the request).";
                throw new BackupFailedException(id, reading, KubernetesApiErrors.StatusCode(e), transient, $"Backup {id} failed reading {reading}: {KubernetesApiErrors.Describe(e)}. Nothing was stored. {advice}", e);
            }
        }
    }
}
