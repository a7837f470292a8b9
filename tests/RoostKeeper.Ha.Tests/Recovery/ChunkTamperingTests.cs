using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>
/// Encrypted archives of several 64 KiB chunks, tampered with chunk by chunk: any change to a chunk before the
/// last is an authentication failure (<see cref="BackupProblem.ArchiveHashMismatch"/>), never
/// <see cref="BackupProblem.Truncated"/>, which is only a clean end at a chunk boundary.
/// </summary>
public sealed class ChunkTamperingTests
{
    private const int HeaderSize = 24;
    private const int Frame = 4 + (64 * 1024) + 16;

    [Fact]
    public async Task A_flipped_bit_in_the_first_chunk_is_an_archive_hash_mismatch()
    {
        await TamperedAsync(bytes =>
        {
            bytes[HeaderSize + 4 + 1000] ^= 0x01;
            return bytes;
        }, BackupProblem.ArchiveHashMismatch);
    }

    [Fact]
    public async Task A_flipped_bit_in_a_middle_chunks_tag_is_an_archive_hash_mismatch()
    {
        await TamperedAsync(bytes =>
        {
            bytes[HeaderSize + (2 * Frame) - 3] ^= 0x40;
            return bytes;
        }, BackupProblem.ArchiveHashMismatch);
    }

    [Fact]
    public async Task Two_swapped_chunks_are_an_archive_hash_mismatch()
    {
        await TamperedAsync(bytes => [.. bytes[..HeaderSize], .. Chunk(bytes, 1), .. Chunk(bytes, 0), .. bytes[(HeaderSize + (2 * Frame))..]], BackupProblem.ArchiveHashMismatch);
    }

    [Fact]
    public async Task A_duplicated_chunk_is_an_archive_hash_mismatch()
    {
        await TamperedAsync(bytes => [.. bytes[..(HeaderSize + (2 * Frame))], .. Chunk(bytes, 1), .. bytes[(HeaderSize + (2 * Frame))..]], BackupProblem.ArchiveHashMismatch);
    }

    [Fact]
    public async Task A_dropped_middle_chunk_is_an_archive_hash_mismatch()
    {
        await TamperedAsync(bytes => [.. bytes[..(HeaderSize + Frame)], .. bytes[(HeaderSize + (2 * Frame))..]], BackupProblem.ArchiveHashMismatch);
    }

    [Fact]
    public async Task A_chunk_transplanted_from_another_backup_under_the_same_key_is_an_archive_hash_mismatch()
    {
        await TamperedAsync((bytes, other) => [.. bytes[..(HeaderSize + Frame)], .. Chunk(other, 1), .. bytes[(HeaderSize + (2 * Frame))..]], BackupProblem.ArchiveHashMismatch);
    }

    [Fact]
    public async Task Another_backups_header_is_an_archive_hash_mismatch()
    {
        await TamperedAsync((bytes, other) => [.. other[..HeaderSize], .. bytes[HeaderSize..]], BackupProblem.ArchiveHashMismatch);
    }

    [Fact]
    public async Task An_archive_cut_at_a_chunk_boundary_is_truncated()
    {
        await TamperedAsync(bytes => bytes[..(HeaderSize + (2 * Frame))], BackupProblem.Truncated);
    }

    private static byte[] Chunk(byte[] archive, int index) => archive[(HeaderSize + (index * Frame))..(HeaderSize + ((index + 1) * Frame))];

    private static Task TamperedAsync(Func<byte[], byte[]> tamper, BackupProblem expected) => TamperedAsync((bytes, _) => tamper(bytes), expected);

    private static async Task TamperedAsync(Func<byte[], byte[], byte[]> tamper, BackupProblem expected)
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 240, namespaces: 2);
        var options = RecoveryTestBed.Options();
        var manager = bed.Manager("backup", options);
        var backup = await manager.CreateBackupAsync();
        var other = await manager.CreateBackupAsync();
        var path = ArchiveTampering.ArchivePath(bed.Directory, backup);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > HeaderSize + (3 * Frame), $"The test needs an archive of at least four chunks; it has {bytes.Length} bytes.");
        File.WriteAllBytes(path, tamper(bytes, File.ReadAllBytes(ArchiveTampering.ArchivePath(bed.Directory, other))));

        var validation = await manager.ValidateBackupAsync(backup.Id);
        var e = await RefusalTests.AssertRefusedAsync<BackupIntegrityException>(bed, backup.Id, options);

        Assert.Equal(expected, Assert.IsType<BackupIntegrityException>(validation.Error).Problem);
        Assert.Equal(expected, e.Problem);
    }
}
