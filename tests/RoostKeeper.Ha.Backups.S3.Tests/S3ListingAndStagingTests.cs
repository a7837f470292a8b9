using System.Security.Cryptography;
using Amazon.S3.Model;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Backups.S3.Tests;

/// <summary>Keys others put under the prefix never stop a listing; an archive staged for validation never lists.</summary>
public sealed class S3ListingAndStagingTests(S3rverServer server) : IClassFixture<S3rverServer>
{
    [Fact]
    public async Task Foreign_keys_under_the_prefix_are_named_and_the_backups_still_list()
    {
        var prefix = $"foreign-{Guid.NewGuid():N}/";
        var store = server.Store(prefix: prefix);
        var info = await CommitAsync(store, "20260101-000000-eeeeee", RandomNumberGenerator.GetBytes(1000));
        using var client = server.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = S3rverServer.Bucket, Key = prefix + "README.json", ContentBody = """{"about":"our backups"}""", UseChunkEncoding = false });
        await client.PutObjectAsync(new PutObjectRequest { BucketName = S3rverServer.Bucket, Key = prefix + "broken.json", ContentBody = "{", UseChunkEncoding = false });

        var listed = await store.ListAsync(default);
        var scan = await store.ScanAsync(default);

        Assert.Equal([info.Id], listed.Select(b => b.Id));
        Assert.Equal([info.Id], scan.Backups.Select(b => b.Id));
        Assert.Equal([prefix + "README.json", prefix + "broken.json"], scan.Unreadable.Select(u => u.Name).Order(StringComparer.Ordinal));
        Assert.All(scan.Unreadable, u => Assert.False(string.IsNullOrEmpty(u.Reason)));
    }

    [Fact]
    public async Task A_staged_archive_reads_back_as_written_and_lists_only_after_the_commit()
    {
        var store = server.Store(prefix: $"staged-{Guid.NewGuid():N}/");
        var data = RandomNumberGenerator.GetBytes((6 * 1024 * 1024) + 777); // a multipart upload
        var info = Info("20260101-000000-ffffff", data);
        await using var upload = await store.BeginUploadAsync(info.Id, default);
        await upload.Content.WriteAsync(data);

        var staged = await upload.StageAsync(info, default);
        Assert.NotNull(staged);
        await using (staged)
        {
            using var read = new MemoryStream();
            await staged.CopyToAsync(read);
            Assert.True(data.AsSpan().SequenceEqual(read.ToArray()), "the staged archive differs from the one written");
        }

        Assert.Empty(await store.ListAsync(default));
        Assert.Null(await store.GetAsync(info.Id, default));
        await upload.CommitAsync(info, default);
        Assert.Equal([info.Id], (await store.ListAsync(default)).Select(b => b.Id));
    }

    [Fact]
    public async Task A_staged_archive_that_is_never_committed_is_removed()
    {
        var prefix = $"unstaged-{Guid.NewGuid():N}/";
        var store = server.Store(prefix: prefix);
        var data = RandomNumberGenerator.GetBytes(5000);
        var info = Info("20260101-000000-abcdef", data);
        await using (var upload = await store.BeginUploadAsync(info.Id, default))
        {
            await upload.Content.WriteAsync(data);
            await using var staged = await upload.StageAsync(info, default);
        }

        using var client = server.CreateClient();
        var left = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3rverServer.Bucket, Prefix = prefix });
        Assert.Empty(left.S3Objects ?? []);
    }

    private static BackupInfo Info(string id, byte[] data) => new()
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

    private static async Task<BackupInfo> CommitAsync(S3BackupStore store, string id, byte[] data)
    {
        var info = Info(id, data);
        await using var upload = await store.BeginUploadAsync(id, default);
        await upload.Content.WriteAsync(data);
        await upload.CommitAsync(info, default);
        return info;
    }
}
