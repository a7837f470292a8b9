using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Recovery.Archive;
using RoostKeeper.Ha.Recovery.Resources;
using RoostKeeper.Ha.Recovery.Restore;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// Backs up the configured resource types into a store and restores from it. A restore validates the whole
/// backup first (hashes, decryption, parsing) and writes nothing from one that fails. Usable alone with an
/// <see cref="IKubernetes"/>, and registered by <c>AddBackups(...)</c>.
/// </summary>
public sealed class RecoveryManager : IDisposable
{
    private readonly IKubernetes _kubernetes;
    private readonly BackupOptions _options;
    private readonly ResourceClient _resources;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RecoveryMetrics _metrics;
    private readonly RecoveryMetrics? _ownedMetrics;

    // Store, called so that its failures are known as the store's (not the Kubernetes API's) wherever they end up.
    private readonly ObservedBackupStore _store;
    private readonly Func<CancellationToken, Task<HealthReport>>? _healthCheck;
    private readonly HashSet<string> _reportedUnreadable = new(StringComparer.Ordinal);

    /// <summary>Creates a manager.</summary>
    /// <param name="kubernetes">The Kubernetes client objects are read with and restored through.</param>
    /// <param name="options">What to back up and how; validated here.</param>
    /// <param name="store">Where backups are kept, e.g. a <see cref="DirectoryBackupStore"/>.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="timeProvider">Time; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="meterFactory">Where the "RoostKeeper.Ha" meter comes from; null for a meter of its own, disposed with the manager.</param>
    /// <param name="healthCheck">Run after a restore that wrote (e.g. the HealthManager's check); none when null.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option breaks a rule (the message names each one), e.g. Secrets included without encryption.</exception>
    public RecoveryManager(
        IKubernetes kubernetes,
        BackupOptions options,
        IBackupStore store,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null,
        Func<CancellationToken, Task<HealthReport>>? healthCheck = null)
        : this(kubernetes, options, store, loggerFactory, timeProvider, healthCheck, metrics: null, meterFactory)
    {
    }

    internal RecoveryManager(
        IKubernetes kubernetes,
        BackupOptions options,
        IBackupStore store,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider,
        Func<CancellationToken, Task<HealthReport>>? healthCheck,
        RecoveryMetrics? metrics,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        BackupOptionsValidator.ThrowIfInvalid(options);
        _kubernetes = kubernetes;
        _options = options;
        Store = store;
        _store = new ObservedBackupStore(store);
        _resources = new ResourceClient(kubernetes);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(RecoveryLog.Category);
        _time = timeProvider ?? TimeProvider.System;
        _metrics = metrics ?? (_ownedMetrics = new RecoveryMetrics(meterFactory));
        _healthCheck = healthCheck;
    }

    /// <summary>The instruments this manager records on (for tests).</summary>
    internal RecoveryMetrics Metrics => _metrics;

    /// <summary>The store backups are kept in.</summary>
    public IBackupStore Store { get; }

    /// <summary>Backs up every included resource type now. The backup lists only once complete (and verified, unless <see cref="BackupOptions.VerifyAfterWrite"/> is off); then retention applies.</summary>
    /// <param name="progress">Receives progress after each page.</param>
    /// <param name="cancellationToken">Cancels the backup; nothing is left that lists.</param>
    /// <returns>The new backup's info.</returns>
    /// <exception cref="BackupFailedException">Reading from the Kubernetes API failed (after retries for a transient error); nothing lists from the attempt.</exception>
    /// <exception cref="BackupIntegrityException">The backup read back did not validate; it was deleted.</exception>
    public Task<BackupInfo> CreateBackupAsync(IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default) =>
        CreateBackupAsync(null, progress, cancellationToken);

    /// <summary>The complete backups in the store, newest first; entries of the store that cannot be read as a backup are left out (see <see cref="ScanStoreAsync"/>).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The backups.</returns>
    public async Task<IReadOnlyList<BackupInfo>> ListBackupsAsync(CancellationToken cancellationToken = default) =>
        (await ScanStoreAsync(cancellationToken).ConfigureAwait(false)).Backups;

    /// <summary>
    /// The complete backups in the store, newest first, and the store's entries that cannot be read as a
    /// backup (a foreign file, a damaged info), each named. Those never stop a listing, retention or the
    /// schedule; each is logged (event 3016) when first seen and counted by the gauge
    /// <c>roost_keeper.recovery.store.unreadable_entries</c>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The backups and the unreadable entries.</returns>
    public async Task<BackupListing> ScanStoreAsync(CancellationToken cancellationToken = default)
    {
        var listing = await _store.ScanAsync(cancellationToken).ConfigureAwait(false);
        _metrics.StoreScanned(listing.Unreadable.Count);
        lock (_reportedUnreadable)
        {
            // Reported once each (the schedule and every GET /backups list the store): a warning per entry per
            // listing would bury everything else in the log.
            foreach (var entry in listing.Unreadable)
            {
                if (_reportedUnreadable.Add(entry.Name))
                {
                    RecoveryLog.UnreadableStoreEntry(_logger, Store.ToString() ?? Store.GetType().Name, entry.Name, entry.Reason);
                }
            }

            _reportedUnreadable.IntersectWith(listing.Unreadable.Select(u => u.Name));
        }

        return listing with { Backups = [.. listing.Backups.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal)] };
    }

    /// <summary>One backup's info.</summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The info.</returns>
    /// <exception cref="BackupNotFoundException">The store has no complete backup with that id.</exception>
    public async Task<BackupInfo> GetBackupAsync(string backupId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backupId);
        return await FindAsync(backupId, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupNotFoundException(backupId, Store.ToString() ?? Store.GetType().Name);
    }

    /// <summary>Reads the whole backup and checks it: format version, key, every object's hash and parse, the manifest's id and content hash, the archive's hash.</summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="progress">Receives the number of objects checked.</param>
    /// <param name="cancellationToken">Cancels the validation.</param>
    /// <returns>The result; <see cref="BackupValidationResult.Error"/> names the problem when it is not valid.</returns>
    public async Task<BackupValidationResult> ValidateBackupAsync(string backupId, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backupId);
        BackupInfo? info = null;
        try
        {
            info = await FindAsync(backupId, cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                return new BackupValidationResult(backupId, new BackupNotFoundException(backupId, Store.ToString() ?? Store.GetType().Name), null);
            }

            await VerifyAsync(info, progress, cancellationToken).ConfigureAwait(false);
            return new BackupValidationResult(backupId, null, info);
        }
        catch (BackupException e)
        {
            return new BackupValidationResult(backupId, e, info);
        }
    }

    /// <summary>
    /// Restores a backup: validates all of it first and refuses (throws, having written nothing) one that
    /// fails; then restores phase by phase (namespaces, definitions waited on until Established,
    /// configuration, custom resources) with a result per object; then runs the health check when configured.
    /// </summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="options">Dry run, existing-object policy, namespace mapping, parallelism; defaults when null.</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="cancellationToken">Cancels the restore (objects already written stay).</param>
    /// <returns>The per-object results.</returns>
    /// <exception cref="BackupNotFoundException">No such backup.</exception>
    /// <exception cref="BackupIntegrityException">The backup failed validation (or is unencrypted while a key is configured, or its info describes another backup); nothing was written. Or the store served a different archive for the restore than the one validated: <see cref="BackupIntegrityException.RestoredBeforeFailure"/> lists what was written before it; rerun the restore.</exception>
    /// <exception cref="BackupKeyException">The backup is encrypted with another key (or no key is configured); nothing was written.</exception>
    /// <exception cref="UnsupportedBackupFormatException">The backup's format version is not readable; nothing was written.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option of <paramref name="options"/> breaks a rule (the message names each one); nothing was read or written.</exception>
    public async Task<RestoreResult> RestoreFromBackupAsync(string backupId, RestoreOptions? options = null, IProgress<RestoreProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options = options is null ? new RestoreOptions() : options.Snapshot();
        RestoreOptionsValidator.ThrowIfInvalid(options);

        using var activity = HaTelemetry.ActivitySource.StartActivity(HaActivities.Restore);
        activity?.SetTag("backup.id", backupId);
        activity?.SetTag("restore.dry_run", options.DryRun);
        var started = _time.GetTimestamp();
        Count("restore", "started");
        RecoveryLog.RestoreStarted(_logger, backupId, options.DryRun);
        try
        {
            var info = await GetBackupAsync(backupId, cancellationToken).ConfigureAwait(false);
            progress?.Report(new RestoreProgress(RestorePhase.Validating, 0, info.ObjectCount, 0));
            var verified = await VerifyAsync(info, null, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<RestoredObject> objects;
            var stored = await _store.OpenReadAsync(backupId, cancellationToken).ConfigureAwait(false);
            await using (stored.ConfigureAwait(false))
            {
                var runner = new RestoreRunner(_resources, verified, options, _time, _logger, progress);
                objects = await runner.RunAsync(BackupArchiveReader.ReadObjectsAsync(verified, stored, _options.EncryptionKey, _kubernetes, cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            HealthReport? health = null;
            if (!options.DryRun && options.VerifyHealth && _healthCheck is not null)
            {
                health = await _healthCheck(cancellationToken).ConfigureAwait(false);
            }

            var result = new RestoreResult { BackupId = backupId, DryRun = options.DryRun, Objects = objects, Health = health };
            RecoveryLog.RestoreFinished(_logger, backupId, options.DryRun,
                result.Count(RestoreOutcome.Created) + result.Count(RestoreOutcome.WouldCreate),
                result.Count(RestoreOutcome.Updated) + result.Count(RestoreOutcome.WouldUpdate),
                result.Count(RestoreOutcome.Skipped), result.Count(RestoreOutcome.Unchanged), result.Count(RestoreOutcome.Failed));
            var outcome = result.Succeeded ? "succeeded" : "failed";
            Count("restore", outcome);
            _metrics.Objects.Add(objects.Count, new KeyValuePair<string, object?>("operation", "restore"));
            _metrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, new("operation", "restore"), new("outcome", outcome));
            activity?.SetStatus(result.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            return result;
        }
        catch (Exception e)
        {
            Count("restore", "failed");
            _metrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, new("operation", "restore"), new("outcome", "failed"));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            RecoveryLog.RestoreFailed(_logger, backupId, e.Message, e);
            throw;
        }
    }

    /// <summary>Deletes a backup.</summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the backup no longer lists.</returns>
    /// <exception cref="BackupNotFoundException">No such backup.</exception>
    public async Task DeleteBackupAsync(string backupId, CancellationToken cancellationToken = default)
    {
        _ = await GetBackupAsync(backupId, cancellationToken).ConfigureAwait(false);
        await _store.DeleteAsync(backupId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A disaster-recovery drill that writes nothing to the cluster: makes a backup, validates it, and plans a
    /// restore of it as a dry run against the live cluster; the drill passes when the plan finds every object
    /// unchanged (the backup reproduces the cluster) and nothing fails.
    /// </summary>
    /// <param name="progress">Receives the backup's progress.</param>
    /// <param name="cancellationToken">Cancels the drill.</param>
    /// <returns>The backup, its validation and the plan.</returns>
    public async Task<DisasterRecoveryTestResult> TestDisasterRecoveryAsync(IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var backup = await CreateBackupAsync(progress, cancellationToken).ConfigureAwait(false);
        var validation = await ValidateBackupAsync(backup.Id, progress, cancellationToken).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            return new DisasterRecoveryTestResult(backup, validation, null);
        }

        var plan = await RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true }, null, cancellationToken).ConfigureAwait(false);
        return new DisasterRecoveryTestResult(backup, validation, plan);
    }

    internal async Task<BackupInfo> CreateBackupAsync(DateTimeOffset? scheduledFor, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var createdAt = _time.GetUtcNow();
        var id = $"{createdAt.UtcDateTime:yyyyMMdd-HHmmss}-{Sha256Hex.Format(RandomNumberGenerator.GetBytes(3))}";
        using var activity = HaTelemetry.ActivitySource.StartActivity(HaActivities.Backup);
        activity?.SetTag("backup.id", id);
        var started = _time.GetTimestamp();
        Count("backup", "started");
        RecoveryLog.BackupStarted(_logger, id, string.Join(", ", _options.Resources));
        try
        {
            // The backup is validated from the store before it lists (the store stages it), or, for a store
            // that cannot stage, right after the commit, and deleted when that fails.
            Func<BackupInfo, Stream, Task>? verifyStaged = _options.VerifyAfterWrite
                ? async (written, stored) =>
                {
                    try
                    {
                        await VerifyAsync(written, null, cancellationToken, stored).ConfigureAwait(false);
                    }
                    catch (Exception verifyError) when (VerificationFailed(id, verifyError, cancellationToken) is { } failed)
                    {
                        throw failed;
                    }
                }
                : null;
            var (info, verified) = await new BackupCreator(_resources, _options, _store, _kubernetes, _time, _logger).CreateAsync(id, createdAt, scheduledFor, verifyStaged, progress, cancellationToken).ConfigureAwait(false);
            if (_options.VerifyAfterWrite && !verified)
            {
                try
                {
                    await VerifyAsync(info, null, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception verifyError)
                {
                    // Committed but not verified (it failed validation, the read-back failed, or the caller
                    // cancelled): it must not list as a good backup, so it is deleted whatever the cause.
                    await DeleteUnverifiedAsync(id, verifyError).ConfigureAwait(false);
                    if (VerificationFailed(id, verifyError, cancellationToken) is { } failed)
                    {
                        throw failed;
                    }

                    throw;
                }
            }

            Count("backup", "succeeded");
            _metrics.Objects.Add(info.ObjectCount, new KeyValuePair<string, object?>("operation", "backup"));
            _metrics.Bytes.Add(info.ArchiveSizeBytes, new KeyValuePair<string, object?>("operation", "backup"));
            _metrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, new("operation", "backup"), new("outcome", "succeeded"));
            _metrics.BackupSucceeded(_time.GetUtcNow());
            activity?.SetTag("backup.objects", info.ObjectCount);
            activity?.SetStatus(ActivityStatusCode.Ok);
            RecoveryLog.BackupCompleted(_logger, id, info.ObjectCount, info.ArchiveSizeBytes, info.ArchiveSha256);
            try
            {
                await ApplyRetentionAsync(info, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The backup is complete and verified; a store that fails to list or delete old ones does not
                // undo that. Retention runs again after the next backup.
                RecoveryLog.RetentionFailed(_logger, id, e);
            }

            return info;
        }
        catch (Exception e)
        {
            Count("backup", "failed");
            _metrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, new("operation", "backup"), new("outcome", "failed"));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            RecoveryLog.BackupFailed(_logger, id, KubernetesApiErrors.IsApiOrNetwork(e) ? KubernetesApiErrors.Describe(e) : e.Message, e);
            throw;
        }
    }

    /// <summary>The typed error for a read-back that failed reading the key's Secret again; null when the verification's own error is the one to throw.</summary>
    private static BackupFailedException? VerificationFailed(string id, Exception verifyError, CancellationToken cancellationToken) =>
        verifyError is not BackupException && KubernetesApiErrors.IsApiOrNetwork(verifyError) && !cancellationToken.IsCancellationRequested
            ? new BackupFailedException(id, "the encryption key, to verify the backup", KubernetesApiErrors.StatusCode(verifyError), KubernetesApiErrors.IsTransient(verifyError), $"Backup {id} was written but could not be verified: reading the encryption key failed ({KubernetesApiErrors.Describe(verifyError)}). It does not list. Retry the backup when the API server is reachable.", verifyError)
            : null;

    private async Task DeleteUnverifiedAsync(string id, Exception cause)
    {
        try
        {
            await _store.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception deleteError)
        {
            // Reported, and the verification's error is the one thrown; a backup that was not deleted is
            // refused by validation at restore time in any case.
            RecoveryLog.UnverifiedNotDeleted(_logger, id, cause.Message, deleteError);
        }
    }

    /// <summary>
    /// The store's info for <paramref name="backupId"/>, refused when it describes another backup: every read
    /// then opens the archive of the id asked for, whose manifest and hash that info must match.
    /// </summary>
    private async Task<BackupInfo?> FindAsync(string backupId, CancellationToken cancellationToken)
    {
        var info = await _store.GetAsync(backupId, cancellationToken).ConfigureAwait(false);
        if (info is not null && !string.Equals(info.Id, backupId, StringComparison.Ordinal))
        {
            throw new BackupIntegrityException(backupId, BackupProblem.InfoMismatch, $"The info {Store} holds for backup {backupId} describes backup {info.Id} (another backup's info file was copied over it, or the store returned the wrong one).");
        }

        return info;
    }

    /// <summary>Validates the backup from <paramref name="staged"/> (an archive staged but not yet listed, left open) or, when null, from the store.</summary>
    private async Task<VerifiedArchive> VerifyAsync(BackupInfo info, IProgress<BackupProgress>? progress, CancellationToken cancellationToken, Stream? staged = null)
    {
        using var activity = HaTelemetry.ActivitySource.StartActivity(HaActivities.ValidateBackup);
        activity?.SetTag("backup.id", info.Id);
        var started = _time.GetTimestamp();
        Count("validate", "started");
        try
        {
            RefuseUnencrypted(info);
            var objects = progress is null ? null : new Progress<long>(n => progress.Report(new BackupProgress("validate", n, 0)));
            VerifiedArchive verified;
            if (staged is not null)
            {
                verified = await BackupArchiveReader.VerifyAsync(info, staged, _options.EncryptionKey, _kubernetes, objects, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var stored = await _store.OpenReadAsync(info.Id, cancellationToken).ConfigureAwait(false);
                await using (stored.ConfigureAwait(false))
                {
                    verified = await BackupArchiveReader.VerifyAsync(info, stored, _options.EncryptionKey, _kubernetes, objects, cancellationToken).ConfigureAwait(false);
                }
            }

            Count("validate", "succeeded");
            _metrics.Bytes.Add(info.ArchiveSizeBytes, new KeyValuePair<string, object?>("operation", "validate"));
            _metrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, new("operation", "validate"), new("outcome", "succeeded"));
            return verified;
        }
        catch (BackupException e)
        {
            Count("validate", "failed");
            _metrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, new("operation", "validate"), new("outcome", "failed"));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            RecoveryLog.ValidationFailed(_logger, info.Id, e.Message);
            throw;
        }
    }

    /// <summary>With a key configured, an unencrypted backup is refused unless allowed: anyone who can write to the store could have written it, and the Secrets in it.</summary>
    private void RefuseUnencrypted(BackupInfo info)
    {
        if (info.Encryption is null && _options.EncryptionKey is not null && !_options.AllowUnencryptedBackups)
        {
            throw new BackupIntegrityException(info.Id, BackupProblem.Unencrypted, "It is not encrypted, but this manager has an encryption key, so every backup it trusts must be encrypted with it: an unencrypted backup can be written by anyone who can write to the store, Secrets included. Restore backups written before encryption was turned on only for a migration, with BackupOptions.AllowUnencryptedBackups = true, and turn it off afterwards.");
        }
    }

    private async Task ApplyRetentionAsync(BackupInfo newest, CancellationToken cancellationToken)
    {
        if (_options.Retention is not { } retention)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var backups = await ListBackupsAsync(cancellationToken).ConfigureAwait(false);
        var kept = 0;
        foreach (var backup in backups)
        {
            // The backup just written and verified is never deleted, so retention cannot leave the store without a valid backup.
            if (backup.Id == newest.Id)
            {
                kept++;
                continue;
            }

            var tooMany = retention.Count is { } count && kept >= count;
            var tooOld = retention.MaxAge is { } maxAge && now - backup.CreatedAt > maxAge;
            if (tooMany || tooOld)
            {
                await _store.DeleteAsync(backup.Id, cancellationToken).ConfigureAwait(false);
                RecoveryLog.RetentionDeleted(_logger, backup.Id, backup.CreatedAt);
            }
            else
            {
                kept++;
            }
        }
    }

    private void Count(string operation, string outcome) =>
        _metrics.Operations.Add(1, new("operation", operation), new("outcome", outcome));

    /// <summary>Releases the manager's own meter, if it created one (no <see cref="IMeterFactory"/> was given).</summary>
    public void Dispose() => _ownedMetrics?.Dispose();
}
