using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>
/// Each kind of bad backup is refused with a typed error naming the problem, before anything is written:
/// the restoring client sends no write request and every object stays as it was.
/// </summary>
public sealed class RefusalTests
{
    private const string Restorer = "restorer";

    [Fact]
    public async Task A_flipped_byte_in_an_object_is_refused_naming_the_object_and_both_hashes()
    {
        await RefusedAsync(encrypt: false, (dir, info) =>
        {
            var path = ArchiveTampering.ArchivePath(dir, info);
            var bytes = File.ReadAllBytes(path);
            var at = ArchiveTampering.IndexOf(bytes, "registry.birb.party/roost:"u8.ToArray());
            bytes[at + 26] ^= 0x01;
            File.WriteAllBytes(path, bytes);
        }, (BackupIntegrityException e) =>
        {
            Assert.Equal(BackupProblem.ObjectHashMismatch, e.Problem);
            Assert.StartsWith("objects/", e.ObjectPath);
            Assert.NotNull(e.ExpectedSha256);
            Assert.NotNull(e.ActualSha256);
            Assert.NotEqual(e.ExpectedSha256, e.ActualSha256);
            Assert.Contains(e.ObjectPath!, e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_flipped_byte_outside_any_object_is_refused_by_the_archive_hash()
    {
        await RefusedAsync(encrypt: false, (dir, info) =>
        {
            var path = ArchiveTampering.ArchivePath(dir, info);
            var bytes = File.ReadAllBytes(path);
            bytes[^1] ^= 0x01; // in the tar's end-of-archive padding: no entry changes
            File.WriteAllBytes(path, bytes);
        }, (BackupIntegrityException e) =>
        {
            Assert.Equal(BackupProblem.ArchiveHashMismatch, e.Problem);
            Assert.Equal(e.ExpectedSha256, ((BackupIntegrityException)e).ExpectedSha256);
            Assert.NotEqual(e.ExpectedSha256, e.ActualSha256);
        });
    }

    [Fact]
    public async Task A_truncated_archive_is_refused_as_truncated()
    {
        await RefusedAsync(encrypt: false, (dir, info) =>
        {
            var path = ArchiveTampering.ArchivePath(dir, info);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        }, (BackupIntegrityException e) => Assert.Equal(BackupProblem.Truncated, e.Problem));
    }

    [Fact]
    public async Task A_truncated_encrypted_archive_is_refused_as_truncated()
    {
        await RefusedAsync(encrypt: true, (dir, info) =>
        {
            var path = ArchiveTampering.ArchivePath(dir, info);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        }, (BackupIntegrityException e) => Assert.Equal(BackupProblem.Truncated, e.Problem));
    }

    [Fact]
    public async Task A_flipped_byte_in_an_encrypted_archive_fails_authentication()
    {
        await RefusedAsync(encrypt: true, (dir, info) =>
        {
            var path = ArchiveTampering.ArchivePath(dir, info);
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x80;
            File.WriteAllBytes(path, bytes);
        }, (BackupIntegrityException e) => Assert.Equal(BackupProblem.ArchiveHashMismatch, e.Problem));
    }

    [Fact]
    public async Task A_missing_object_is_refused_naming_it()
    {
        string? removed = null;
        await RefusedAsync(encrypt: false, (dir, info) =>
        {
            var entries = ArchiveTampering.ReadEntries(ArchiveTampering.ArchivePath(dir, info));
            removed = entries.First(e => e.Name.Contains("/managedroosts/", StringComparison.Ordinal)).Name;
            ArchiveTampering.WriteEntries(dir, info, entries.Where(e => e.Name != removed), updateInfo: true);
        }, (BackupIntegrityException e) =>
        {
            Assert.Equal(BackupProblem.MissingObject, e.Problem);
            Assert.Equal(removed, e.ObjectPath);
            Assert.NotNull(e.ExpectedSha256);
        });
    }

    [Fact]
    public async Task An_object_changed_with_its_manifest_hash_updated_is_refused_by_the_content_hash()
    {
        await RefusedAsync(encrypt: false, (dir, info) =>
        {
            var entries = ArchiveTampering.ReadEntries(ArchiveTampering.ArchivePath(dir, info));
            var target = entries.FindIndex(e => e.Name.Contains("/managedroosts/", StringComparison.Ordinal));
            var changed = JsonNode.Parse(entries[target].Data)!;
            changed["spec"]!["replicas"] = 99;
            var data = Encoding.UTF8.GetBytes(changed.ToJsonString());
            entries[target] = (entries[target].Name, data);
            var manifest = JsonNode.Parse(entries[^1].Data)!;
            var listed = manifest["objects"]!.AsArray().Single(o => o!["path"]!.GetValue<string>() == entries[target].Name)!;
            listed["sha256"] = Convert.ToHexStringLower(SHA256.HashData(data));
            listed["size"] = data.Length;
            entries[^1] = (entries[^1].Name, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            ArchiveTampering.WriteEntries(dir, info, entries, updateInfo: false);
        }, (BackupIntegrityException e) =>
        {
            Assert.Equal(BackupProblem.ContentHashMismatch, e.Problem);
            Assert.NotEqual(e.ExpectedSha256, e.ActualSha256);
        });
    }

    [Fact]
    public async Task An_object_changed_with_every_hash_in_the_manifest_updated_is_refused_by_the_recorded_archive_hash()
    {
        await RefusedAsync(encrypt: false, (dir, info) =>
        {
            var entries = ArchiveTampering.ReadEntries(ArchiveTampering.ArchivePath(dir, info));
            var target = entries.FindIndex(e => e.Name.Contains("/managedroosts/", StringComparison.Ordinal));
            var changed = JsonNode.Parse(entries[target].Data)!;
            changed["spec"]!["replicas"] = 99;
            var data = Encoding.UTF8.GetBytes(changed.ToJsonString());
            entries[target] = (entries[target].Name, data);
            var manifest = JsonNode.Parse(entries[^1].Data)!;
            var listed = manifest["objects"]!.AsArray().Single(o => o!["path"]!.GetValue<string>() == entries[target].Name)!;
            listed["sha256"] = Convert.ToHexStringLower(SHA256.HashData(data));
            var content = string.Concat(entries.SkipLast(1).Select(e => $"{e.Name}\n{Convert.ToHexStringLower(SHA256.HashData(e.Data))}\n"));
            manifest["contentSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
            entries[^1] = (entries[^1].Name, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            ArchiveTampering.WriteEntries(dir, info, entries, updateInfo: false);
        }, (BackupIntegrityException e) =>
        {
            Assert.Equal(BackupProblem.ArchiveHashMismatch, e.Problem);
            Assert.NotEqual(e.ExpectedSha256, e.ActualSha256);
        });
    }

    [Fact]
    public async Task A_manifest_from_another_backup_is_refused()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var manager = bed.Manager("backup", RecoveryTestBed.Options(secrets: false, encrypt: false));
        var first = await manager.CreateBackupAsync();
        var second = await manager.CreateBackupAsync();
        var entries = ArchiveTampering.ReadEntries(ArchiveTampering.ArchivePath(bed.Directory, first));
        var foreign = ArchiveTampering.ReadEntries(ArchiveTampering.ArchivePath(bed.Directory, second))[^1];
        entries[^1] = foreign;
        ArchiveTampering.WriteEntries(bed.Directory, first, entries, updateInfo: true);

        var e = await AssertRefusedAsync<BackupIntegrityException>(bed, first.Id, RecoveryTestBed.Options(secrets: false, encrypt: false));
        Assert.Equal(BackupProblem.ManifestMismatch, e.Problem);
        Assert.Contains(second.Id, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_naming_both_key_ids()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var backup = await bed.Manager("backup").CreateBackupAsync();
        var wrong = RecoveryTestBed.Options();
        wrong.EncryptionKey = RecoveryTestBed.OtherKey;

        var e = await AssertRefusedAsync<BackupKeyException>(bed, backup.Id, wrong);
        Assert.Equal(backup.Encryption!.KeyId, e.RequiredKeyId);
        Assert.NotNull(e.GivenKeyId);
        Assert.NotEqual(e.RequiredKeyId, e.GivenKeyId);
    }

    [Fact]
    public async Task An_encrypted_backup_without_a_key_is_refused()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var backup = await bed.Manager("backup").CreateBackupAsync();

        var e = await AssertRefusedAsync<BackupKeyException>(bed, backup.Id, RecoveryTestBed.Options(secrets: false, encrypt: false));
        Assert.Null(e.GivenKeyId);
        Assert.Contains("no encryption key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_format_version_in_the_info_is_refused()
    {
        await RefusedAsync(encrypt: false, (dir, info) => ArchiveTampering.WriteInfo(dir, info with { FormatVersion = 99 }),
            (UnsupportedBackupFormatException e) => Assert.Equal(99, e.FormatVersion));
    }

    [Fact]
    public async Task An_unknown_format_version_in_the_manifest_is_refused()
    {
        await RefusedAsync(encrypt: false, (dir, info) =>
        {
            var entries = ArchiveTampering.ReadEntries(ArchiveTampering.ArchivePath(dir, info));
            var manifest = JsonNode.Parse(entries[^1].Data)!;
            manifest["formatVersion"] = 2;
            entries[^1] = (entries[^1].Name, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            ArchiveTampering.WriteEntries(dir, info, entries, updateInfo: true);
        }, (UnsupportedBackupFormatException e) => Assert.Equal(2, e.FormatVersion));
    }

    [Fact]
    public async Task ValidateBackupAsync_reports_the_problem_instead_of_throwing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var manager = bed.Manager("backup", options);
        var backup = await manager.CreateBackupAsync();
        Assert.True((await manager.ValidateBackupAsync(backup.Id)).IsValid);

        var path = ArchiveTampering.ArchivePath(bed.Directory, backup);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]);
        var result = await manager.ValidateBackupAsync(backup.Id);

        Assert.False(result.IsValid);
        Assert.Equal(BackupProblem.Truncated, Assert.IsType<BackupIntegrityException>(result.Error).Problem);
        Assert.IsType<BackupNotFoundException>((await manager.ValidateBackupAsync("20000101-000000-000000")).Error);
    }

    private static async Task RefusedAsync<TException>(bool encrypt, Action<string, BackupInfo> tamper, Action<TException> check)
        where TException : BackupException
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 10, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: encrypt, encrypt: encrypt);
        var backup = await bed.Manager("backup", options).CreateBackupAsync();
        tamper(bed.Directory, backup);

        check(await AssertRefusedAsync<TException>(bed, backup.Id, options));
    }

    internal static async Task<TException> AssertRefusedAsync<TException>(RecoveryTestBed bed, string backupId, BackupOptions options)
        where TException : BackupException
    {
        // Delete one roost and change another, so a restore that wrote anything would show.
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000");
        await bed.Admin.CustomObjects.PatchNamespacedCustomObjectAsync(
            new k8s.Models.V1Patch("""{"spec":{"replicas":42}}""", k8s.Models.V1Patch.PatchType.MergePatch), RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-1", RecoveryTestBed.Plural, "roost-00001");
        var before = await bed.SnapshotAsync();
        var manager = bed.Manager(Restorer, options);

        var error = await Assert.ThrowsAsync<TException>(() => manager.RestoreFromBackupAsync(backupId, new RestoreOptions { ExistingObjects = ExistingObjectPolicy.Update }));

        Assert.Equal(backupId, error.BackupId);
        Assert.Equal(0, bed.Writes(Restorer));
        Assert.Equal(before, await bed.SnapshotAsync());
        return error;
    }
}
