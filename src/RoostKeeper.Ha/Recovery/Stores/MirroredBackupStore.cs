using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Recovery.Archive;

namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// Writes every backup to two stores (e.g. two regions) and reads from whichever holds a valid copy. A side
/// that fails while a backup is written is dropped from that backup and reported (the backup succeeds on
/// the other side; it fails only when both fail). Reading checks each copy's SHA-256 against its info and
/// falls back to the other side for a copy that is missing, corrupt or unreachable, reporting it.
/// </summary>
public sealed class MirroredBackupStore : IBackupStore
{
    private readonly IBackupStore[] _stores;
    private readonly ILogger _logger;

    /// <summary>Creates the mirror.</summary>
    /// <param name="primary">Read first.</param>
    /// <param name="secondary">Read when the primary has no valid copy.</param>
    /// <param name="logger">Reports copies that are missing, corrupt or unreachable; none when null.</param>
    public MirroredBackupStore(IBackupStore primary, IBackupStore secondary, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(secondary);
        _stores = [primary, secondary];
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken)
    {
        var uploads = new List<(IBackupStore Store, IBackupUpload Upload)>();
        var failures = new List<Exception>();
        foreach (var store in _stores)
        {
            try
            {
                uploads.Add((store, await store.BeginUploadAsync(backupId, cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Report(backupId, store, MirrorCopyState.Unavailable, e.Message);
                failures.Add(e);
            }
        }

        return uploads.Count > 0 ? new MirrorUpload(this, backupId, uploads) : throw new AggregateException($"Neither store of the mirror accepted backup {backupId}.", failures);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) =>
        (await ScanAsync(cancellationToken).ConfigureAwait(false)).Backups;

    /// <inheritdoc />
    public async Task<BackupListing> ScanAsync(CancellationToken cancellationToken)
    {
        var byId = new Dictionary<string, BackupInfo>(StringComparer.Ordinal);
        var unreadable = new List<UnreadableStoreEntry>();
        var failures = new List<Exception>();
        foreach (var store in _stores)
        {
            var name = store.ToString() ?? store.GetType().Name;
            try
            {
                var listing = await store.ScanAsync(cancellationToken).ConfigureAwait(false);
                foreach (var info in listing.Backups)
                {
                    byId.TryAdd(info.Id, info);
                }

                unreadable.AddRange(listing.Unreadable.Select(u => u with { Name = $"{name}: {u.Name}" }));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RecoveryLog.MirrorListFailed(_logger, name, e);
                unreadable.Add(new UnreadableStoreEntry(name, $"listing this side failed: {e.Message}"));
                failures.Add(e);
            }
        }

        return failures.Count == _stores.Length
            ? throw new AggregateException("Neither store of the mirror could be listed.", failures)
            : new BackupListing([.. byId.Values], unreadable);
    }

    /// <inheritdoc />
    public async Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken)
    {
        foreach (var store in _stores)
        {
            try
            {
                if (await store.GetAsync(backupId, cancellationToken).ConfigureAwait(false) is { } info)
                {
                    return info;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Report(backupId, store, MirrorCopyState.Unavailable, e.Message);
            }
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken)
    {
        foreach (var store in _stores)
        {
            var status = await CheckAsync(store, backupId, cancellationToken).ConfigureAwait(false);
            if (status.State == MirrorCopyState.Valid)
            {
                return await store.OpenReadAsync(backupId, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new BackupNotFoundException(backupId, $"{this} (no valid copy on either side)");
    }

    /// <summary>Checks both copies of a backup (reads each archive in full and compares its SHA-256 with its info).</summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>One status per store, primary first.</returns>
    public async Task<IReadOnlyList<MirrorCopyStatus>> CheckCopiesAsync(string backupId, CancellationToken cancellationToken = default)
    {
        var result = new List<MirrorCopyStatus>();
        foreach (var store in _stores)
        {
            result.Add(await CheckAsync(store, backupId, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string backupId, CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        foreach (var store in _stores)
        {
            try
            {
                await store.DeleteAsync(backupId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"Deleting backup {backupId} failed on {failures.Count} side(s) of the mirror.", failures);
        }
    }

    /// <summary>"mirror of {primary} and {secondary}".</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"mirror of {_stores[0]} and {_stores[1]}";

    private async Task<MirrorCopyStatus> CheckAsync(IBackupStore store, string backupId, CancellationToken cancellationToken)
    {
        var name = store.ToString() ?? store.GetType().Name;
        MirrorCopyStatus status;
        try
        {
            var info = await store.GetAsync(backupId, cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                status = new MirrorCopyStatus(name, MirrorCopyState.Missing, "no complete copy");
            }
            else
            {
                var stream = await store.OpenReadAsync(backupId, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    var hashing = new HashingStream(stream, leaveOpen: true);
                    await using (hashing.ConfigureAwait(false))
                    {
                        await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                        var sha = hashing.HashHex();
                        status = sha == info.ArchiveSha256 && hashing.BytesSeen == info.ArchiveSizeBytes
                            ? new MirrorCopyStatus(name, MirrorCopyState.Valid)
                            : new MirrorCopyStatus(name, MirrorCopyState.Corrupt, $"archive SHA-256 {sha} ({hashing.BytesSeen} bytes), recorded {info.ArchiveSha256} ({info.ArchiveSizeBytes} bytes)");
                    }
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            status = new MirrorCopyStatus(name, MirrorCopyState.Unavailable, e.Message);
        }

        if (status.State != MirrorCopyState.Valid)
        {
            Report(backupId, store, status.State, status.Detail);
        }

        return status;
    }

    private void Report(string backupId, IBackupStore store, MirrorCopyState state, string? detail) =>
        RecoveryLog.MirrorCopyProblem(_logger, backupId, store.ToString() ?? store.GetType().Name, detail is null ? state.ToString() : $"{state}: {detail}");

    private sealed class MirrorUpload(MirroredBackupStore mirror, string backupId, List<(IBackupStore Store, IBackupUpload Upload)> uploads) : IBackupUpload
    {
        private readonly MirrorStream _content = new(mirror, backupId, uploads);

        public Stream Content => _content;

        public async Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            // Every side stages (a side that fails is dropped, as in a commit); the first side's copy is read
            // back for validation. A side that cannot stage makes the whole mirror validate after the commit.
            var streams = new List<Stream>();
            var canStage = true;
            var failures = new List<Exception>();
            foreach (var (store, upload) in _content.Healthy.ToList())
            {
                try
                {
                    if (await upload.StageAsync(info, cancellationToken).ConfigureAwait(false) is { } stream)
                    {
                        streams.Add(stream);
                    }
                    else
                    {
                        canStage = false;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    mirror.Report(backupId, store, MirrorCopyState.Unavailable, $"staging failed: {e.Message}");
                    _content.Healthy.RemoveAll(side => side.Upload == upload);
                    failures.Add(e);
                }
            }

            if (_content.Healthy.Count == 0)
            {
                throw new AggregateException($"Backup {backupId} could not be stored on either side of the mirror.", failures);
            }

            foreach (var extra in canStage ? streams.Skip(1) : streams)
            {
                await extra.DisposeAsync().ConfigureAwait(false);
            }

            return canStage ? streams[0] : null;
        }

        public async Task CommitAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            var committed = 0;
            var failures = new List<Exception>();
            foreach (var (store, upload) in _content.Healthy)
            {
                try
                {
                    await upload.CommitAsync(info, cancellationToken).ConfigureAwait(false);
                    committed++;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    mirror.Report(backupId, store, MirrorCopyState.Unavailable, $"commit failed: {e.Message}");
                    failures.Add(e);
                }
            }

            if (committed == 0)
            {
                throw new AggregateException($"Backup {backupId} could not be committed to either side of the mirror.", failures);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (_, upload) in uploads)
            {
                await upload.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes to every side still healthy; a side whose write fails is dropped (and reported); fails only when none is left.</summary>
    private sealed class MirrorStream(MirroredBackupStore mirror, string backupId, List<(IBackupStore Store, IBackupUpload Upload)> sides) : WriteOnlyStream
    {
        public List<(IBackupStore Store, IBackupUpload Upload)> Healthy { get; } = [.. sides];

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            foreach (var side in Healthy.ToList())
            {
                try
                {
                    await side.Upload.Content.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Drop(side, e);
                }
            }
        }

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            foreach (var side in Healthy.ToList())
            {
                try
                {
                    await side.Upload.Content.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Drop(side, e);
                }
            }
        }

        private void Drop((IBackupStore Store, IBackupUpload Upload) side, Exception e)
        {
            Healthy.Remove(side);
            mirror.Report(backupId, side.Store, MirrorCopyState.Unavailable, $"write failed: {e.Message}");
            if (Healthy.Count == 0)
            {
                throw new IOException($"Backup {backupId} could not be written to either side of the mirror.", e);
            }
        }
    }
}
