using System.Security.Cryptography;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Backups.S3.Tests;

/// <summary>The S3 store against a real S3 server (s3rver on 127.0.0.1): bytes round-trip exactly.</summary>
public sealed class S3BackupStoreTests(S3rverServer server) : IClassFixture<S3rverServer>
{
    [Fact]
    public async Task A_large_archive_goes_up_in_parts_and_comes_back_byte_for_byte()
    {
        var store = server.Store(prefix: $"large-{Guid.NewGuid():N}/");
        var data = RandomNumberGenerator.GetBytes((12 * 1024 * 1024) + 12345); // three parts of 5 MiB
        var info = await UploadAsync(store, "20260101-000000-aaaaaa", data);

        var read = await ReadAllAsync(store, info.Id);

        Assert.Equal(data.Length, read.Length);
        Assert.True(data.AsSpan().SequenceEqual(read), "the archive read back differs from the one written");
        Assert.Equal(info.ToJson(), (await store.GetAsync(info.Id, default))!.ToJson());
    }

    [Fact]
    public async Task A_small_archive_goes_up_in_one_PUT_and_comes_back_byte_for_byte()
    {
        var store = server.Store(prefix: $"small-{Guid.NewGuid():N}/");
        var data = RandomNumberGenerator.GetBytes(70_000);
        var info = await UploadAsync(store, "20260101-000000-bbbbbb", data);

        Assert.Equal(data, await ReadAllAsync(store, info.Id));
    }

    [Fact]
    public async Task An_upload_that_is_not_committed_never_lists()
    {
        var store = server.Store(prefix: $"abandoned-{Guid.NewGuid():N}/");
        await using (var upload = await store.BeginUploadAsync("20260101-000000-cccccc", default))
        {
            await upload.Content.WriteAsync(RandomNumberGenerator.GetBytes(6 * 1024 * 1024)); // a part is already sent
        }

        Assert.Empty(await store.ListAsync(default));
        Assert.Null(await store.GetAsync("20260101-000000-cccccc", default));
        await Assert.ThrowsAsync<BackupNotFoundException>(() => store.OpenReadAsync("20260101-000000-cccccc", default));
    }

    [Fact]
    public async Task Listing_pages_through_every_backup_and_delete_removes_one()
    {
        var store = server.Store(prefix: $"list-{Guid.NewGuid():N}/", listPageSize: 2);
        var ids = Enumerable.Range(0, 5).Select(i => $"20260101-00000{i}-dddddd").ToList();
        foreach (var id in ids)
        {
            await UploadAsync(store, id, RandomNumberGenerator.GetBytes(100));
        }

        Assert.Equal(ids, (await store.ListAsync(default)).Select(b => b.Id).Order(StringComparer.Ordinal));
        await store.DeleteAsync(ids[2], default);
        Assert.Equal(ids.Where(i => i != ids[2]), (await store.ListAsync(default)).Select(b => b.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RecoveryManager_backs_up_to_S3_and_restores_from_it()
    {
        await using var cluster = await SimulatedCluster.StartAsync();
        var admin = cluster.CreateClient("admin");
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new() { Name = "roosts" } });
        for (var i = 0; i < 20; i++)
        {
            await admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = $"cm-{i}", Labels = new Dictionary<string, string> { ["app"] = "roost-keeper" } }, Data = new Dictionary<string, string> { ["i"] = $"{i}" } }, "roosts");
        }

        var options = new BackupOptions();
        options.Resources.Add(new BackupResource("", "v1", "configmaps", LabelSelector: "app=roost-keeper"));
        var manager = new RecoveryManager(cluster.CreateClient("recovery"), options, server.Store(prefix: $"manager-{Guid.NewGuid():N}/"));
        var backup = await manager.CreateBackupAsync();
        await admin.CoreV1.DeleteNamespacedConfigMapAsync("cm-7", "roosts");

        var result = await manager.RestoreFromBackupAsync(backup.Id);

        Assert.Equal("cm-7", Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Created).Name);
        Assert.Equal("7", (await admin.CoreV1.ReadNamespacedConfigMapAsync("cm-7", "roosts")).Data["i"]);
    }

    [Fact]
    public async Task A_mirror_of_S3_and_a_directory_survives_S3_being_down()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"roostha-mirror-{Guid.NewGuid():N}");
        try
        {
            await using var cluster = await SimulatedCluster.StartAsync();
            var admin = cluster.CreateClient("admin");
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new() { Name = "roosts" } });
            await admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = "cm", Labels = new Dictionary<string, string> { ["app"] = "roost-keeper" } }, Data = new Dictionary<string, string> { ["k"] = "v" } }, "roosts");
            var options = new BackupOptions();
            options.Resources.Add(new BackupResource("", "v1", "configmaps", LabelSelector: "app=roost-keeper"));
            var down = new S3BackupStore(S3rverServer.CreateClient(new Uri($"http://127.0.0.1:{S3rverServer.FreePort()}")), new S3BackupStoreOptions { BucketName = S3rverServer.Bucket, UseChunkEncoding = false });
            var mirror = new MirroredBackupStore(down, new DirectoryBackupStore(directory));
            var manager = new RecoveryManager(cluster.CreateClient("recovery"), options, mirror);

            var backup = await manager.CreateBackupAsync();
            await admin.CoreV1.DeleteNamespacedConfigMapAsync("cm", "roosts");
            var result = await manager.RestoreFromBackupAsync(backup.Id);

            Assert.True(result.Succeeded);
            Assert.Equal("v", (await admin.CoreV1.ReadNamespacedConfigMapAsync("cm", "roosts")).Data["k"]);
            Assert.Equal([MirrorCopyState.Unavailable, MirrorCopyState.Valid], (await mirror.CheckCopiesAsync(backup.Id)).Select(c => c.State));

            // With S3 up, the mirror's S3 side holds an identical, valid copy.
            var both = new MirroredBackupStore(server.Store(prefix: $"mirror-{Guid.NewGuid():N}/"), new DirectoryBackupStore(directory + "-2"));
            var second = await new RecoveryManager(cluster.CreateClient("recovery"), options, both).CreateBackupAsync();
            Assert.Equal([MirrorCopyState.Valid, MirrorCopyState.Valid], (await both.CheckCopiesAsync(second.Id)).Select(c => c.State));
        }
        finally
        {
            foreach (var dir in new[] { directory, directory + "-2" }.Where(Directory.Exists))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void Options_out_of_range_are_rejected_naming_the_option()
    {
        using var client = server.CreateClient();
        Assert.Contains("BucketName", Assert.Single(Assert.Throws<OptionsValidationException>(() => new S3BackupStore(client, new S3BackupStoreOptions())).Failures), StringComparison.Ordinal);
        Assert.Contains("PartSizeBytes", Assert.Single(Assert.Throws<OptionsValidationException>(() => new S3BackupStore(client, new S3BackupStoreOptions { BucketName = "b", PartSizeBytes = 1024 })).Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_option_is_reported_at_once()
    {
        using var client = server.CreateClient();

        var e = Assert.Throws<OptionsValidationException>(() => new S3BackupStore(client, new S3BackupStoreOptions { BucketName = " ", PartSizeBytes = 6L * 1024 * 1024 * 1024, ListPageSize = 0 }));

        Assert.Equal(typeof(S3BackupStoreOptions), e.OptionsType);
        Assert.Equal(
            ["S3BackupStoreOptions.BucketName is required.", "S3BackupStoreOptions.PartSizeBytes (6442450944) must be between 5 MiB and 5 GiB (S3's limits for a part).", "S3BackupStoreOptions.ListPageSize (0) must be between 1 and 1000."],
            e.Failures);
    }

    private static async Task<BackupInfo> UploadAsync(S3BackupStore store, string id, byte[] data)
    {
        var info = new BackupInfo
        {
            Id = id,
            CreatedAt = DateTimeOffset.UnixEpoch,
            SourceCluster = "test",
            Namespaces = [],
            ResourceTypes = [new BackupResourceCount("", "v1", "configmaps", "ConfigMap", 0)],
            ArchiveSizeBytes = data.Length,
            ArchiveSha256 = Convert.ToHexStringLower(SHA256.HashData(data)),
            FormatVersion = 1, // the archive format this library writes
            LibraryVersion = "test",
        };
        await using var upload = await store.BeginUploadAsync(id, default);
        for (var offset = 0; offset < data.Length; offset += 100_000)
        {
            await upload.Content.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
        }

        await upload.CommitAsync(info, default);
        return info;
    }

    private static async Task<byte[]> ReadAllAsync(S3BackupStore store, string id)
    {
        await using var stream = await store.OpenReadAsync(id, default);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
