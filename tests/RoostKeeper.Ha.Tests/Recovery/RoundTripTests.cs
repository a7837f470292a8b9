using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

public sealed class RoundTripTests
{
    private static bool IsSeeded(string key) =>
        key.StartsWith("ManagedRoost/", StringComparison.Ordinal) || key.EndsWith("/roost-config", StringComparison.Ordinal) || key.EndsWith("/roost-credentials", StringComparison.Ordinal);

    [Fact]
    public async Task Backup_delete_everything_restore_reproduces_1000_ManagedRoosts_ConfigMaps_and_Secrets()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 1000, namespaces: 4);
        var before = (await bed.SnapshotAsync()).Where(p => IsSeeded(p.Key)).ToDictionary();
        Assert.Equal(1000 + 4 + 4, before.Count);

        var manager = bed.Manager("backup");
        var backup = await manager.CreateBackupAsync();
        Assert.Equal(1000, backup.ResourceTypes.Single(t => t.Plural == RecoveryTestBed.Plural).Count);
        Assert.Equal(4, backup.ResourceTypes.Single(t => t.Plural == "configmaps").Count);
        Assert.Equal(4, backup.ResourceTypes.Single(t => t.Plural == "secrets").Count);
        Assert.Equal(1, backup.ResourceTypes.Single(t => t.Plural == "customresourcedefinitions").Count);
        Assert.Equal(["ns-0", "ns-1", "ns-2", "ns-3"], backup.Namespaces);
        Assert.NotNull(backup.Encryption);

        await bed.DeleteEverythingAsync();
        Assert.DoesNotContain((await bed.SnapshotAsync()).Keys, IsSeeded);

        var result = await bed.Manager("restorer").RestoreFromBackupAsync(backup.Id, new RestoreOptions { MaxParallelism = 8 });

        Assert.True(result.Succeeded, string.Join("\n", result.Objects.Where(o => o.Outcome == RestoreOutcome.Failed).Select(o => $"{o.Kind} {o.Namespace}/{o.Name}: {o.Error}")));
        Assert.Equal(1000 + 4 + 4 + 1 + 4, result.Count(RestoreOutcome.Created));
        var after = (await bed.SnapshotAsync()).Where(p => IsSeeded(p.Key)).ToDictionary();
        Assert.Equal(before.Count, after.Count);
        foreach (var (key, value) in before)
        {
            Assert.True(after.TryGetValue(key, out var restored), $"{key} was not restored");
            Assert.Equal(value, restored);
        }
    }

    [Fact]
    public async Task An_unencrypted_backup_is_a_plain_tar_with_one_JSON_file_per_object_and_the_manifest_last()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 12, namespaces: 2);
        var backup = await bed.Manager("backup", RecoveryTestBed.Options(secrets: false, encrypt: false)).CreateBackupAsync();

        var path = Path.Combine(bed.Directory, backup.Id + ".tar");
        Assert.True(File.Exists(path));
        var entries = new List<(string Name, byte[] Data)>();
        await using (var file = File.OpenRead(path))
        using (var tar = new TarReader(file))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                using var data = new MemoryStream();
                entry.DataStream?.CopyTo(data);
                entries.Add((entry.Name, data.ToArray()));
            }
        }

        Assert.Equal(RecoveryConstants.ManifestEntryName, entries[^1].Name);
        var manifest = JsonNode.Parse(entries[^1].Data)!;
        Assert.Equal(backup.Id, manifest["id"]!.GetValue<string>());
        Assert.Equal(RecoveryConstants.FormatVersion, manifest["formatVersion"]!.GetValue<int>());
        Assert.Equal("sim", manifest["sourceCluster"]!.GetValue<string>());
        var objects = manifest["objects"]!.AsArray();
        Assert.Equal(entries.Count - 1, objects.Count);
        Assert.Equal(12 + 2 + 1, objects.Count);
        foreach (var (entry, listed) in entries.SkipLast(1).Zip(objects))
        {
            Assert.Equal(entry.Name, listed!["path"]!.GetValue<string>());
            Assert.Equal(Convert.ToHexString(SHA256.HashData(entry.Data)).ToLowerInvariant(), listed["sha256"]!.GetValue<string>());
            Assert.Equal("registry", JsonNode.Parse(entry.Data) is { } obj && obj["kind"]!.GetValue<string>() is "ManagedRoost" ? obj["spec"]!["image"]!.GetValue<string>()[..8] : "registry");
        }

        Assert.Contains(entries, e => e.Name == "objects/roost.birb.party/v1alpha1/managedroosts/ns-1/roost-00003.json");
        Assert.Contains(entries, e => e.Name == "objects/core/v1/configmaps/ns-0/roost-config.json");
        Assert.DoesNotContain(entries, e => e.Name.Contains("unrelated", StringComparison.Ordinal));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path))).ToLowerInvariant(), backup.ArchiveSha256);
    }
}
