using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.AspNetCore.Tests.Operations;

/// <summary>
/// Errors are classified by what failed, and the open endpoints show a store's (or an unexpected) failure as
/// its type, a fixed sentence and a trace id: the message, which names paths, hosts or buckets, is in the log only.
/// </summary>
public sealed class ErrorDisclosureTests
{
    private const string Secret = "/var/lib/roost/backups-7f3a (bucket roost-prod-secret)";

    [Fact]
    public async Task A_store_failure_is_the_stores_and_open_endpoints_show_only_its_type_and_a_trace_id()
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        var store = new FaultyStore(new DirectoryBackupStore(bed.Directory));
        await using var replica = await cluster.ReplicaAsync(
            "replica-a",
            healthChecks: false,
            ha: ha => ha.AddBackups(b => b.IncludeConfigMaps(BackupBed.Label, BackupBed.DataNamespace).ToStore(_ => store)));
        await Cluster.Until(() => replica.Manager.IsLeader, "replica-a to lead");
        var id = await BackupBed.BackupAsync(replica);

        // Writing a backup: the store's IOException is not "a Kubernetes API call failed".
        store.Writes = new IOException($"No space left on device: {Secret}");
        await AssertStoreFailureAsync(replica, await BackupBed.RunAsync(replica, "/backup"), "IOException");

        // Reading one (validation, restore): an S3-like HttpRequestException is the store's too.
        store.Writes = null;
        store.Reads = new HttpRequestException($"Connection refused ({Secret})");
        await AssertStoreFailureAsync(replica, await BackupBed.RunAsync(replica, $"/backups/{id}/validate"), "HttpRequestException");
        await AssertStoreFailureAsync(replica, await BackupBed.RunAsync(replica, $"/restore/{id}", new { dryRun = true }), "HttpRequestException");

        // Listing (an open endpoint and the status page).
        store.Reads = null;
        store.Lists = new IOException($"Permission denied: {Secret}");
        using var list = await replica.Http.GetAsync("/backups");
        var listText = await list.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, list.StatusCode);
        Assert.DoesNotContain("roost-prod-secret", listText, StringComparison.Ordinal);
        using (var problem = JsonDocument.Parse(listText))
        {
            Assert.Equal("The backup store failed.", problem.RootElement.GetProperty("title").GetString());
            Assert.Equal("IOException", problem.RootElement.GetProperty("exception").GetString());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("traceId").GetString()));
        }

        var page = await replica.Http.GetStringAsync("/");
        Assert.DoesNotContain("roost-prod-secret", page, StringComparison.Ordinal);
        Assert.Contains("IOException from the backup store", page, StringComparison.Ordinal);
        Assert.Contains(replica.Logs.Entries, e => e.EventId == 6006 && e.Message.Contains("roost-prod-secret", StringComparison.Ordinal));

        // The log has the message, with the exception.
        Assert.Contains(replica.Logs.Entries, e => e.EventId == 6017);
        Assert.Contains(replica.Logs.Entries, e => e.EventId == 6005);
    }

    private static async Task AssertStoreFailureAsync(ReplicaServer replica, JsonElement operation, string exception)
    {
        // Polled anonymously, as anyone who can reach the port can.
        var location = operation.GetProperty("location").GetString()!;
        var text = await replica.Http.GetStringAsync(location);
        Assert.DoesNotContain("roost-prod-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Kubernetes", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("Failed", document.RootElement.GetProperty("state").GetString());
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("BackupStore", error.GetProperty("type").GetString());
        Assert.Equal(exception, error.GetProperty("facts").GetProperty("exception").GetString());
        Assert.Equal(document.RootElement.GetProperty("id").GetString(), error.GetProperty("facts").GetProperty("traceId").GetString());
    }

    /// <summary>A store that fails its writes, archive reads or listings on demand, as a full disk or an unreachable bucket does.</summary>
    private sealed class FaultyStore(IBackupStore inner) : IBackupStore
    {
        public Exception? Writes { get; set; }

        public Exception? Reads { get; set; }

        public Exception? Lists { get; set; }

        public async Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) =>
            Writes is { } error ? throw error : await inner.BeginUploadAsync(backupId, cancellationToken);

        public async Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) =>
            Lists is { } error ? throw error : await inner.ListAsync(cancellationToken);

        public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => inner.GetAsync(backupId, cancellationToken);

        public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken) =>
            Reads is { } error ? throw error : await inner.OpenReadAsync(backupId, cancellationToken);

        public Task DeleteAsync(string backupId, CancellationToken cancellationToken) => inner.DeleteAsync(backupId, cancellationToken);
    }
}
