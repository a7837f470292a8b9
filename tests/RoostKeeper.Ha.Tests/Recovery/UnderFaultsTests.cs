using k8s;
using System.Net;
using System.Text.Json;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>
/// Backups and restores while the API fails: a backup completes and validates or fails with
/// <see cref="BackupFailedException"/> leaving nothing that lists; a restore cut by a partition can be run
/// again and ends with every object present once. Random faults come from fixed seeds.
/// </summary>
public sealed class UnderFaultsTests
{
    private static BackupOptions Plain(int pageSize = 10)
    {
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        options.PageSize = pageSize;
        return options;
    }

    [Fact]
    public async Task Backup_retries_transient_errors_and_completes_with_a_valid_backup()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 40, namespaces: 2);
        var manager = bed.Manager("backup", Plain());
        var pages = 0;
        var progress = new SynchronousProgress<BackupProgress>(_ =>
        {
            // After the first and the third page, the next two requests fail (503, then 429).
            pages++;
            if (pages == 1)
            {
                bed.Cluster.Faults.FailNext("backup", HttpStatusCode.ServiceUnavailable, 2);
            }
            else if (pages == 3)
            {
                bed.Cluster.Faults.FailNext("backup", HttpStatusCode.TooManyRequests, 2);
            }
        });

        var backup = await manager.CreateBackupAsync(progress);

        Assert.Equal(40, backup.ResourceTypes.Where(t => t.Plural == RecoveryTestBed.Plural).Sum(t => t.Count));
        Assert.True((await manager.ValidateBackupAsync(backup.Id)).IsValid);
        Assert.Equal([backup.Id], (await manager.ListBackupsAsync()).Select(b => b.Id));
    }

    [Fact]
    public async Task Backup_under_added_latency_completes_and_validates()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 30, namespaces: 2);
        bed.Cluster.Faults.AddLatency("backup", TimeSpan.FromMilliseconds(25));
        var manager = bed.Manager("backup", Plain());

        var backup = await manager.CreateBackupAsync();

        Assert.Equal(30, backup.ResourceTypes.Where(t => t.Plural == RecoveryTestBed.Plural).Sum(t => t.Count));
        Assert.True((await manager.ValidateBackupAsync(backup.Id)).IsValid);
    }

    [Fact]
    public async Task Backup_that_keeps_failing_throws_a_typed_error_and_leaves_nothing_that_lists()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 40, namespaces: 2);
        var manager = bed.Manager("backup", Plain());
        var progress = OnPage(2, () => bed.Cluster.Faults.FailNext("backup", HttpStatusCode.InternalServerError, BackupFailedAttempts));

        var e = await Assert.ThrowsAsync<BackupFailedException>(() => manager.CreateBackupAsync(progress));

        Assert.Equal((500, true), (e.StatusCode, e.IsTransient));
        Assert.Equal($"{RecoveryTestBed.Plural}.{RecoveryTestBed.Group}/{RecoveryTestBed.Version}", e.Reading);
        Assert.Contains("Nothing was stored", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.BackupId);
        await AssertNothingListsAsync(bed, manager);
    }

    [Fact]
    public async Task Backup_cut_off_by_a_partition_fails_as_transient_without_a_status_code_and_leaves_nothing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 40, namespaces: 2);
        var manager = bed.Manager("backup", Plain());
        var progress = OnPage(2, () => bed.Cluster.Faults.Partition("backup"));

        var e = await Assert.ThrowsAsync<BackupFailedException>(() => manager.CreateBackupAsync(progress));
        bed.Cluster.Faults.Heal("backup");

        Assert.Equal((null, true), (e.StatusCode, e.IsTransient));
        await AssertNothingListsAsync(bed, manager);

        // Healed, the same manager backs up completely.
        var backup = await manager.CreateBackupAsync();
        Assert.True((await manager.ValidateBackupAsync(backup.Id)).IsValid);
    }

    [Fact]
    public async Task Backup_refused_by_the_api_is_not_retried_and_says_retrying_will_not_help()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 5, namespaces: 1);
        var options = new BackupOptions { ClusterName = "sim", PageSize = 10, IncludeDefinitions = false };
        options.Resources.Add(new BackupResource(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural));
        var manager = bed.Manager("backup", options);
        bed.Cluster.Faults.FailNext("backup", HttpStatusCode.Forbidden, 1);

        var e = await Assert.ThrowsAsync<BackupFailedException>(() => manager.CreateBackupAsync());

        Assert.Equal((403, false), (e.StatusCode, e.IsTransient));
        Assert.Contains("Retrying will not help", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, bed.Cluster.Requests.Count("backup", "list", RecoveryTestBed.Plural));
        await AssertNothingListsAsync(bed, manager);
    }

    [Fact]
    public async Task Backup_hanging_on_a_blackholed_api_is_cancelled_and_leaves_nothing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 40, namespaces: 2);
        var manager = bed.Manager("backup", Plain());
        using var cancel = new CancellationTokenSource();
        var progress = OnPage(2, () =>
        {
            bed.Cluster.Faults.Partition("backup", PartitionMode.Blackhole);
            cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => manager.CreateBackupAsync(progress, cancel.Token));
        bed.Cluster.Faults.Heal("backup");

        await AssertNothingListsAsync(bed, manager);
    }

    [Theory]
    [InlineData(1501)]
    [InlineData(1502)]
    [InlineData(1503)]
    public async Task Backups_under_random_faults_from_a_fixed_seed_either_validate_or_fail_typed_and_never_list_unvalidated(int seed)
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 30, namespaces: 3);
        var manager = bed.Manager("backup", Plain());
        var random = new Random(seed);
        var succeeded = new List<string>();
        var failed = 0;
        for (var run = 0; run < 6; run++)
        {
            var progress = new SynchronousProgress<BackupProgress>(_ => InjectRandomFault(bed.Cluster, "backup", random));
            try
            {
                succeeded.Add((await manager.CreateBackupAsync(progress)).Id);
            }
            catch (BackupFailedException e)
            {
                Assert.Equal(e.StatusCode is null or >= 500 or 429, e.IsTransient);
                failed++;
            }
            finally
            {
                bed.Cluster.Faults.Clear("backup");
            }
        }

        // Exactly the backups that reported success list, and every one of them validates and holds every object.
        var listed = await manager.ListBackupsAsync();
        Assert.Equal(succeeded.Order(StringComparer.Ordinal), listed.Select(b => b.Id).Order(StringComparer.Ordinal));
        Assert.Equal(6, succeeded.Count + failed);
        foreach (var backup in listed)
        {
            Assert.True((await manager.ValidateBackupAsync(backup.Id)).IsValid);
            Assert.Equal(30, backup.ResourceTypes.Where(t => t.Plural == RecoveryTestBed.Plural).Sum(t => t.Count));
        }

        Assert.Empty(Directory.EnumerateFiles(bed.Directory, ".*"));
    }

    [Fact]
    public async Task Restore_cut_by_a_partition_can_be_rerun_and_ends_with_every_object_present_once()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 48, namespaces: 4);
        var before = await BackedUpAsync(bed);
        var backup = await bed.Manager("backup", Plain(100)).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 4);
        var restorer = bed.Manager("restorer", Plain(100));
        var partitioned = 0;
        var progress = new SynchronousProgress<RestoreProgress>(p =>
        {
            if (p.Objects >= 20 && Interlocked.Exchange(ref partitioned, 1) == 0)
            {
                bed.Cluster.Faults.Partition("restorer");
            }
        });

        var first = await restorer.RestoreFromBackupAsync(backup.Id, new RestoreOptions { MaxParallelism = 4 }, progress);
        bed.Cluster.Faults.Heal("restorer");

        Assert.False(first.Succeeded);
        Assert.Contains(first.Objects, o => o.Outcome == RestoreOutcome.Failed);
        Assert.All(first.Objects.Where(o => o.Outcome == RestoreOutcome.Failed), o => Assert.False(string.IsNullOrEmpty(o.Error)));

        var second = await restorer.RestoreFromBackupAsync(backup.Id, new RestoreOptions { MaxParallelism = 4 });

        Assert.True(second.Succeeded, string.Join("; ", second.Objects.Where(o => o.Error is not null).Select(o => $"{o.Name}: {o.Error}")));
        Assert.All(second.Objects, o => Assert.Contains(o.Outcome, new[] { RestoreOutcome.Created, RestoreOutcome.Unchanged }));
        Assert.Equal(before, await BackedUpAsync(bed));
        var names = ((JsonElement)await bed.Admin.CustomObjects.ListCustomObjectForAllNamespacesAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural))
            .GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("metadata").GetProperty("namespace")}/{i.GetProperty("metadata").GetProperty("name")}").ToList();
        Assert.Equal(48, names.Count);
        Assert.Equal(48, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(2601)]
    [InlineData(2602)]
    public async Task Restores_under_random_faults_from_a_fixed_seed_converge_when_rerun(int seed)
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 40, namespaces: 2);
        var before = await BackedUpAsync(bed);
        var backup = await bed.Manager("backup", Plain(100)).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 2);
        var restorer = bed.Manager("restorer", Plain(100));
        var random = new Random(seed);

        // Up to three runs under random faults, then one without: each run reports every object it could not write.
        for (var run = 0; run < 3; run++)
        {
            var progress = new SynchronousProgress<RestoreProgress>(_ => InjectRandomFault(bed.Cluster, "restorer", random, partitionMs: 150));
            try
            {
                var result = await restorer.RestoreFromBackupAsync(backup.Id, new RestoreOptions { MaxParallelism = 4 }, progress);
                Assert.Equal(result.Objects.Any(o => o.Outcome == RestoreOutcome.Failed), !result.Succeeded);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                // A phase-level failure (e.g. waiting for the definition) is thrown; the rerun continues from there.
            }
            finally
            {
                bed.Cluster.Faults.Clear("restorer");
            }
        }

        var final = await restorer.RestoreFromBackupAsync(backup.Id, new RestoreOptions { MaxParallelism = 4 });

        Assert.True(final.Succeeded, string.Join("; ", final.Objects.Where(o => o.Error is not null).Select(o => $"{o.Name}: {o.Error}")));
        Assert.Equal(before, await BackedUpAsync(bed));
    }

    [Fact]
    public async Task A_store_that_fails_during_retention_does_not_fail_a_complete_backup()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 3, namespaces: 1);
        var options = Plain();
        options.Retention = new BackupRetention(1, null);
        var store = new NoDeleteStore(bed.Store());
        var manager = new RecoveryManager(bed.Cluster.CreateClient("backup"), options, store);
        var first = await manager.CreateBackupAsync();

        var second = await manager.CreateBackupAsync(); // retention would delete the first; the store refuses

        Assert.Equal(new[] { first.Id, second.Id }.Order(StringComparer.Ordinal), (await manager.ListBackupsAsync()).Select(b => b.Id).Order(StringComparer.Ordinal));
        Assert.True((await manager.ValidateBackupAsync(second.Id)).IsValid);
        Assert.Equal(1, store.DeleteAttempts);
    }

    private const int BackupFailedAttempts = 3;

    /// <summary>A directory store whose deletes fail, as a store that is read-only or unreachable for deletes would.</summary>
    private sealed class NoDeleteStore(RoostKeeper.Ha.Recovery.Stores.IBackupStore inner) : RoostKeeper.Ha.Recovery.Stores.IBackupStore
    {
        public int DeleteAttempts { get; private set; }

        public Task<RoostKeeper.Ha.Recovery.Stores.IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) => inner.BeginUploadAsync(backupId, cancellationToken);

        public Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => inner.GetAsync(backupId, cancellationToken);

        public Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken) => inner.OpenReadAsync(backupId, cancellationToken);

        public Task DeleteAsync(string backupId, CancellationToken cancellationToken)
        {
            DeleteAttempts++;
            throw new IOException("The store refuses deletes.");
        }
    }

    /// <summary>With one chance in three per progress report: some failing requests (transient or not), a short partition, or latency.</summary>
    private static void InjectRandomFault(SimulatedCluster cluster, string client, Random random, int partitionMs = 100)
    {
        int choice;
        int count;
        int delay;
        lock (random)
        {
            if (random.Next(3) != 0)
            {
                return;
            }

            choice = random.Next(5);
            count = random.Next(1, 4);
            delay = random.Next(partitionMs / 2, partitionMs);
        }

        switch (choice)
        {
            case 0:
                cluster.Faults.FailNext(client, HttpStatusCode.ServiceUnavailable, count);
                break;
            case 1:
                cluster.Faults.FailNext(client, HttpStatusCode.TooManyRequests, count);
                break;
            case 2:
                cluster.Faults.FailNext(client, HttpStatusCode.Forbidden, 1);
                break;
            case 3:
                cluster.Faults.Partition(client);
                _ = Task.Delay(delay).ContinueWith(_ => cluster.Faults.Heal(client), TaskScheduler.Default);
                break;
            default:
                cluster.Faults.AddLatency(client, TimeSpan.FromMilliseconds(count * 5));
                break;
        }
    }

    /// <summary>The snapshot of what the backup holds (without Secrets, which these backups leave out, and the unlabelled ConfigMaps).</summary>
    private static async Task<SortedDictionary<string, string>> BackedUpAsync(RecoveryTestBed bed) =>
        new((await bed.SnapshotAsync()).Where(p => !p.Key.EndsWith("/unrelated", StringComparison.Ordinal) && !p.Key.StartsWith("Secret/", StringComparison.Ordinal)).ToDictionary(), StringComparer.Ordinal);

    private static async Task AssertNothingListsAsync(RecoveryTestBed bed, RecoveryManager manager)
    {
        Assert.Empty(await manager.ListBackupsAsync());
        Assert.Empty(await bed.Store().ListAsync(default));
        if (Directory.Exists(bed.Directory))
        {
            Assert.Empty(Directory.EnumerateFiles(bed.Directory));
        }
    }

    /// <summary>Progress that runs <paramref name="fault"/> when the backup reports page <paramref name="page"/>, mid-listing.</summary>
    private static SynchronousProgress<BackupProgress> OnPage(int page, Action fault)
    {
        var pages = 0;
        return new SynchronousProgress<BackupProgress>(_ =>
        {
            if (++pages == page)
            {
                fault();
            }
        });
    }
}
