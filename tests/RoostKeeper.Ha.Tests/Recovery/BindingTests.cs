using k8s;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>
/// The info, the manifest and the archive belong together, and a manager with a key trusts encrypted backups
/// only: every mismatch is refused, typed, before any write.
/// </summary>
public sealed class BindingTests
{
    private const string Restorer = "restorer";

    [Fact]
    public async Task Another_backups_info_in_place_of_the_one_asked_for_is_refused_by_validation_naming_both()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var manager = bed.Manager("backup", options);
        var a = await manager.CreateBackupAsync();
        var b = await manager.CreateBackupAsync();
        File.Copy(ArchiveTampering.InfoPath(bed.Directory, b.Id), ArchiveTampering.InfoPath(bed.Directory, a.Id), overwrite: true);

        var result = await manager.ValidateBackupAsync(a.Id);

        Assert.False(result.IsValid);
        var e = Assert.IsType<BackupIntegrityException>(result.Error);
        Assert.Equal(BackupProblem.InfoMismatch, e.Problem);
        Assert.Equal(a.Id, e.BackupId);
        Assert.Contains(b.Id, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_backups_info_in_place_of_the_one_asked_for_is_refused_by_restore_before_any_write()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var manager = bed.Manager("backup", options);
        var a = await manager.CreateBackupAsync();
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-1", RecoveryTestBed.Plural, "roost-00003");
        var b = await manager.CreateBackupAsync();
        File.Copy(ArchiveTampering.InfoPath(bed.Directory, b.Id), ArchiveTampering.InfoPath(bed.Directory, a.Id), overwrite: true);

        var e = await RefusalTests.AssertRefusedAsync<BackupIntegrityException>(bed, a.Id, options);

        Assert.Equal(BackupProblem.InfoMismatch, e.Problem);
        Assert.Contains(b.Id, e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was restored", e.Message, StringComparison.Ordinal);
        Assert.Empty(e.RestoredBeforeFailure);
    }

    [Fact]
    public async Task With_a_key_an_unencrypted_backup_is_refused_before_any_write()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var unencrypted = await bed.Manager("backup", RecoveryTestBed.Options(secrets: false, encrypt: false)).CreateBackupAsync();
        var keyed = RecoveryTestBed.Options(secrets: true, encrypt: true);

        var validation = await bed.Manager("validator", keyed).ValidateBackupAsync(unencrypted.Id);
        var e = await RefusalTests.AssertRefusedAsync<BackupIntegrityException>(bed, unencrypted.Id, keyed);

        Assert.False(validation.IsValid);
        Assert.Equal(BackupProblem.Unencrypted, Assert.IsType<BackupIntegrityException>(validation.Error).Problem);
        Assert.Equal(BackupProblem.Unencrypted, e.Problem);
        Assert.Contains(nameof(BackupOptions.AllowUnencryptedBackups), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_key_a_planted_unencrypted_backup_carrying_a_secret_writes_no_secret()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var keyed = RecoveryTestBed.Options(secrets: true, encrypt: true);
        var genuine = await bed.Manager("backup", keyed).CreateBackupAsync();

        // Someone with write access to the store (no key) writes a plain archive holding a Secret, and an
        // info that matches it: every hash checks out; only the lack of encryption gives it away.
        var secret = """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"planted","namespace":"ns-0"},"data":{"token":"b3duZWQ="}}"""u8.ToArray();
        Plant(bed, genuine, secret);

        var e = await Assert.ThrowsAsync<BackupIntegrityException>(() => bed.Manager(Restorer, keyed).RestoreFromBackupAsync(genuine.Id));

        Assert.Equal(BackupProblem.Unencrypted, e.Problem);
        Assert.Equal(0, bed.Writes(Restorer));
        Assert.DoesNotContain((await bed.Admin.CoreV1.ListNamespacedSecretAsync("ns-0")).Items, s => s.Metadata.Name == "planted");
    }

    [Fact]
    public async Task With_a_key_an_unencrypted_backup_is_restored_when_the_migration_option_allows_it()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var unencrypted = await bed.Manager("backup", RecoveryTestBed.Options(secrets: false, encrypt: false)).CreateBackupAsync();
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000");
        var migrating = RecoveryTestBed.Options(secrets: true, encrypt: true);
        migrating.AllowUnencryptedBackups = true;
        var manager = bed.Manager(Restorer, migrating);

        Assert.True((await manager.ValidateBackupAsync(unencrypted.Id)).IsValid);
        var result = await manager.RestoreFromBackupAsync(unencrypted.Id);

        Assert.True(result.Succeeded);
        Assert.Contains(result.Objects, o => o.Name == "roost-00000" && o.Outcome == RestoreOutcome.Created);
    }

    [Fact]
    public async Task An_info_whose_encryption_differs_from_the_manifests_is_refused()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var backup = await bed.Manager("backup", options).CreateBackupAsync();
        var entries = ArchiveTampering.ReadEntries(ArchiveTampering.ArchivePath(bed.Directory, backup));
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(entries[^1].Data)!;
        manifest["encryption"] = System.Text.Json.Nodes.JsonNode.Parse("""{"algorithm":"AES-256-GCM","keyId":"0011223344556677","chunkSize":65536}""");
        entries[^1] = (entries[^1].Name, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        ArchiveTampering.WriteEntries(bed.Directory, backup, entries, updateInfo: true);

        var e = await RefusalTests.AssertRefusedAsync<BackupIntegrityException>(bed, backup.Id, options);

        Assert.Equal(BackupProblem.ManifestMismatch, e.Problem);
    }

    /// <summary>Replaces the backup with a plain archive holding <paramref name="secret"/> and an info that matches it.</summary>
    private static void Plant(RecoveryTestBed bed, BackupInfo genuine, byte[] secret)
    {
        var path = "objects/core/v1/secrets/ns-0/planted.json";
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(secret));
        var content = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{path}\n{sha}\n")));
        var manifest = new System.Text.Json.Nodes.JsonObject
        {
            ["formatVersion"] = 1,
            ["id"] = genuine.Id,
            ["createdAt"] = genuine.CreatedAt,
            ["sourceCluster"] = "sim",
            ["namespaces"] = new System.Text.Json.Nodes.JsonArray("ns-0"),
            ["resourceTypes"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"group":"","version":"v1","plural":"secrets","kind":"Secret","count":1}]"""),
            ["libraryVersion"] = genuine.LibraryVersion,
            ["contentSha256"] = content,
            ["objects"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["path"] = path, ["sha256"] = sha, ["size"] = secret.Length }),
        };
        var plain = genuine with
        {
            Encryption = null,
            ResourceTypes = [new BackupResourceCount("", "v1", "secrets", "Secret", 1)],
        };
        File.Delete(ArchiveTampering.ArchivePath(bed.Directory, genuine));
        ArchiveTampering.WriteEntries(bed.Directory, plain, [(path, secret), ("manifest.json", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()))], updateInfo: true);
    }
}
