using System.Formats.Tar;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Tests.Recovery.Stores;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>
/// The store serves, for the restore's read after validation, another archive than the validated one: the
/// restore never ends as a success, and its typed error says what was written before it; a rerun converges.
/// </summary>
public sealed class SecondReadTests
{
    private const string Restorer = "restorer";

    [Fact]
    public async Task A_shorter_well_formed_archive_on_the_second_read_is_an_integrity_failure_naming_what_was_written()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 12, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var backup = await bed.Manager("backup", options).CreateBackupAsync();
        var expected = await BackedUpAsync(bed);
        await bed.DeleteEverythingAsync(namespaces: 2);

        // Well formed: every entry intact, the manifest last and the tar's end blocks, only the last three roosts left out.
        var shorter = new SwappingStore(bed.Store(), bytes =>
        {
            var entries = Entries(bytes);
            var roosts = entries.Where(e => e.Name.Contains("/managedroosts/", StringComparison.Ordinal)).TakeLast(3).Select(e => e.Name).ToHashSet();
            return Tar(entries.Where(e => !roosts.Contains(e.Name)));
        });
        var e = await Assert.ThrowsAsync<BackupIntegrityException>(() => bed.Manager(Restorer, options, shorter).RestoreFromBackupAsync(backup.Id));

        Assert.Equal(backup.Id, e.BackupId);
        Assert.Contains(e.Problem, new[] { BackupProblem.Truncated, BackupProblem.MissingObject });
        Assert.StartsWith("objects/roost.birb.party/", e.ObjectPath);
        Assert.NotEmpty(e.RestoredBeforeFailure);
        Assert.Contains(e.RestoredBeforeFailure, o => o.Kind == "ConfigMap" && o.Outcome == RestoreOutcome.Created);
        Assert.Contains("rerun converges", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing was restored", e.Message, StringComparison.Ordinal);

        var rerun = await bed.Manager(Restorer, options).RestoreFromBackupAsync(backup.Id);
        Assert.True(rerun.Succeeded);
        Assert.Equal(expected, await BackedUpAsync(bed));
    }

    [Fact]
    public async Task An_archive_cut_without_end_blocks_on_the_second_read_is_truncated_not_a_bare_end_of_stream()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 12, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var backup = await bed.Manager("backup", options).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 2);

        var cut = new SwappingStore(bed.Store(), bytes => bytes[..(bytes.Length * 3 / 4)]);
        var e = await Assert.ThrowsAsync<BackupIntegrityException>(() => bed.Manager(Restorer, options, cut).RestoreFromBackupAsync(backup.Id));

        Assert.Equal(BackupProblem.Truncated, e.Problem);
        Assert.NotEmpty(e.RestoredBeforeFailure);
    }

    [Fact]
    public async Task An_encrypted_archive_missing_its_last_chunk_on_the_second_read_is_truncated()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 12, namespaces: 2);
        var options = RecoveryTestBed.Options();
        var backup = await bed.Manager("backup", options).CreateBackupAsync();

        // A small archive is one chunk: cutting it to the header leaves no final chunk at all.
        var cut = new SwappingStore(bed.Store(), bytes => bytes[..24]);
        var e = await Assert.ThrowsAsync<BackupIntegrityException>(() => bed.Manager(Restorer, options, cut).RestoreFromBackupAsync(backup.Id));

        Assert.Equal(BackupProblem.Truncated, e.Problem);
        Assert.Empty(e.RestoredBeforeFailure);
        Assert.Equal(0, bed.Writes(Restorer));
    }

    [Fact]
    public async Task Extra_bytes_after_the_end_on_the_second_read_fail_the_restore_instead_of_succeeding()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var backup = await bed.Manager("backup", options).CreateBackupAsync();

        var longer = new SwappingStore(bed.Store(), bytes => [.. bytes, .. new byte[1024]]);
        var e = await Assert.ThrowsAsync<BackupIntegrityException>(() => bed.Manager(Restorer, options, longer).RestoreFromBackupAsync(backup.Id));

        Assert.Equal(BackupProblem.ArchiveHashMismatch, e.Problem);
    }

    /// <summary>The snapshot without what the backup leaves out: unlabelled ConfigMaps and Secrets.</summary>
    private static async Task<Dictionary<string, string>> BackedUpAsync(RecoveryTestBed bed) =>
        (await bed.SnapshotAsync()).Where(p => !p.Key.EndsWith("/unrelated", StringComparison.Ordinal) && !p.Key.StartsWith("Secret/", StringComparison.Ordinal)).ToDictionary();

    private static List<(string Name, byte[] Data)> Entries(byte[] archive)
    {
        var entries = new List<(string, byte[])>();
        using var tar = new TarReader(new MemoryStream(archive));
        while (tar.GetNextEntry() is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add((entry.Name, data.ToArray()));
        }

        return entries;
    }

    private static byte[] Tar(IEnumerable<(string Name, byte[] Data)> entries)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        return buffer.ToArray();
    }
}
