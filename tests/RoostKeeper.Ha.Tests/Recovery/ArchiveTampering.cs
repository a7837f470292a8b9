using System.Formats.Tar;
using System.Security.Cryptography;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>Edits a stored backup the way corruption or an attacker would: bytes, tar entries, the info file.</summary>
public static class ArchiveTampering
{
    public static string ArchivePath(string directory, BackupInfo info) =>
        Path.Combine(directory, info.Id + (info.Encryption is null ? ".tar" : ".tar.enc"));

    public static string InfoPath(string directory, string id) => Path.Combine(directory, id + ".json");

    public static List<(string Name, byte[] Data)> ReadEntries(string archive)
    {
        var entries = new List<(string, byte[])>();
        using var file = File.OpenRead(archive);
        using var tar = new TarReader(file);
        while (tar.GetNextEntry() is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add((entry.Name, data.ToArray()));
        }

        return entries;
    }

    /// <summary>Rewrites the archive with <paramref name="entries"/>; when <paramref name="updateInfo"/>, also records the new file's hash and size in the info (so only the inner checks can catch the edit).</summary>
    public static void WriteEntries(string directory, BackupInfo info, IEnumerable<(string Name, byte[] Data)> entries, bool updateInfo)
    {
        var archive = ArchivePath(directory, info);
        using (var file = File.Create(archive))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            foreach (var (name, data) in entries)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        if (updateInfo)
        {
            var bytes = File.ReadAllBytes(archive);
            WriteInfo(directory, info with { ArchiveSha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), ArchiveSizeBytes = bytes.Length });
        }
    }

    public static void WriteInfo(string directory, BackupInfo info) => File.WriteAllBytes(InfoPath(directory, info.Id), info.ToJson());

    public static int IndexOf(byte[] haystack, byte[] needle, int start = 0)
    {
        for (var i = start; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }
}
