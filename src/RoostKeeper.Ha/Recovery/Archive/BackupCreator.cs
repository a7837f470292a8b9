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
internal sealed class BackupCreator(ResourceClient resources, BackupOptions options, IBackupStore store, k8s.IKubernetes client, ILogger logger)
{
    public static readonly string LibraryVersion =
        typeof(BackupCreator).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public async Task<BackupInfo> CreateAsync(string id, DateTimeOffset createdAt, DateTimeOffset? scheduledFor, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        BackupEncryptionInfo? encryption = null;
        BackupEncryptionKey.ResolvedKey? key = null;
        if (options.EncryptionKey is { } source)
        {
            key = await source.ResolveAsync(client, cancellationToken).ConfigureAwait(false);
            encryption = new BackupEncryptionInfo(RecoveryConstants.EncryptionAlgorithm, key.Id, AesGcmChunks.DefaultChunkSize);
        }

        var upload = await store.BeginUploadAsync(id, cancellationToken).ConfigureAwait(false);
        await using (upload.ConfigureAwait(false))
        {
            var stored = new HashingStream(upload.Content, leaveOpen: true);
            await using (stored.ConfigureAwait(false))
            {
                AesGcmEncryptingStream? encrypting = key is null ? null : new AesGcmEncryptingStream(stored, key.Key, EncryptionHeader.Create(key.Id, AesGcmChunks.DefaultChunkSize));
                var archiveStream = (Stream?)encrypting ?? stored;
                var writer = new BackupArchiveWriter(archiveStream, createdAt);
                await using (writer.ConfigureAwait(false))
                {
                    foreach (var type in OrderedTypes())
                    {
                        await WriteTypeAsync(id, writer, type, progress, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.FinishAsync(id, options.ClusterName, LibraryVersion, encryption, cancellationToken).ConfigureAwait(false);
                }

                if (encrypting is not null)
                {
                    await encrypting.FinishAsync(cancellationToken).ConfigureAwait(false);
                    await encrypting.DisposeAsync().ConfigureAwait(false);
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
                await upload.CommitAsync(info, cancellationToken).ConfigureAwait(false);
                return info;
            }
        }
    }

    /// <summary>Namespaces first, then definitions of the custom types, configuration, then custom resources: the restore order.</summary>
    private IEnumerable<(BackupResource Type, string? Definition)> OrderedTypes()
    {
        foreach (var type in options.Resources.Where(r => r.IsNamespaces))
        {
            yield return (type, null);
        }

        if (options.IncludeDefinitions)
        {
            foreach (var group in options.Resources.Where(r => !r.IsCore && !r.IsDefinitions).Select(r => $"{r.Plural}.{r.Group}").Distinct(StringComparer.Ordinal))
            {
                yield return (new BackupResource("apiextensions.k8s.io", "v1", "customresourcedefinitions"), group);
            }
        }

        foreach (var type in options.Resources.Where(r => r.IsDefinitions))
        {
            yield return (type, null);
        }

        foreach (var type in options.Resources.Where(r => r.IsCore && !r.IsNamespaces))
        {
            yield return (type, null);
        }

        foreach (var type in options.Resources.Where(r => !r.IsCore && !r.IsDefinitions))
        {
            yield return (type, null);
        }
    }

    private async Task WriteTypeAsync(string id, BackupArchiveWriter writer, (BackupResource Type, string? Definition) item, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var (type, definition) = item;
        writer.BeginType(type, ResourceClient.KindOf(type));
        if (definition is not null)
        {
            var crd = await resources.GetAsync(type, null, definition, cancellationToken).ConfigureAwait(false);
            if (crd is null)
            {
                RecoveryLog.DefinitionMissing(logger, id, definition);
                return;
            }

            await writer.AddObjectAsync(null, definition, JsonSerializer.SerializeToUtf8Bytes(crd), cancellationToken).ConfigureAwait(false);
            return;
        }

        string? continueToken = null;
        var kindSet = false;
        do
        {
            ResourcePage page;
            try
            {
                page = await resources.ListAsync(type, options.PageSize, continueToken, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.Classify(e) == ApiErrorKind.Expired)
            {
                // The continue token expired (the server compacted past it): a consistent snapshot of this
                // type is no longer possible, so the backup fails rather than silently mixing two snapshots.
                throw new InvalidOperationException($"Listing {type} took longer than the API server keeps a list snapshot (410 Gone on continue); the backup was abandoned. Retry it, or lower PageSize.", e);
            }

            foreach (var obj in page.Items)
            {
                if (!kindSet)
                {
                    writer.SetKind(obj.Kind);
                    kindSet = true;
                }

                await writer.AddObjectAsync(obj.Namespace, obj.Name, obj.Json, cancellationToken).ConfigureAwait(false);
            }

            progress?.Report(new BackupProgress(type.ToString(), writer.ObjectCount, writer.ObjectBytes));
            continueToken = page.Continue;
        }
        while (continueToken is not null);
    }
}
