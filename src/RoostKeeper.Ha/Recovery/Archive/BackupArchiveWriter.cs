using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>
/// Writes a backup archive as a stream: a POSIX tar (ustar entries, pax for paths over 100 bytes) with one entry per object, in the order added,
/// and manifest.json last. Each object is hashed as it is written; the manifest's object list is spooled
/// to a temporary file rather than kept in memory, so memory stays flat however many objects there are.
/// </summary>
internal sealed class BackupArchiveWriter : IAsyncDisposable
{
    private readonly TarWriter _tar;
    private readonly DateTimeOffset _timestamp;
    private readonly IncrementalHash _content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly FileStream _spool;
    private readonly StreamWriter _spoolWriter;
    private readonly List<(BackupResource Type, string Kind, long Count)> _types = [];
    private readonly SortedSet<string> _namespaces = new(StringComparer.Ordinal);
    private const int UstarNameLength = 100;

    private readonly byte[] _newline = "\n"u8.ToArray();

    public BackupArchiveWriter(Stream output, DateTimeOffset timestamp)
    {
        _tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        _timestamp = timestamp;
        _spool = new FileStream(Path.Combine(Path.GetTempPath(), $"roostkeeper-manifest-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        _spoolWriter = new StreamWriter(_spool, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
    }

    public long ObjectCount { get; private set; }

    public long ObjectBytes { get; private set; }

    public IReadOnlyCollection<string> Namespaces => _namespaces;

    public IReadOnlyList<BackupResourceCount> ResourceTypes =>
        [.. _types.Select(t => new BackupResourceCount(t.Type.Group, t.Type.Version, t.Type.Plural, t.Kind, t.Count))];

    /// <summary>Marks the start of a resource type, so it is counted (with zero objects if none follow).</summary>
    public void BeginType(BackupResource type, string kind) => _types.Add((type, kind, 0));

    /// <summary>Sets the kind of the current type once the first object shows it.</summary>
    public void SetKind(string kind)
    {
        var last = _types[^1];
        _types[^1] = (last.Type, kind, last.Count);
    }

    public async Task AddObjectAsync(string? ns, string name, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var (type, kind, count) = _types[^1];
        var path = ObjectPath.For(type, ns, name);
        var sha = Sha256Hex.Of(json.Span);
        await _tar.WriteEntryAsync(Entry(path, new ReadOnlyMemoryStream(json)), cancellationToken).ConfigureAwait(false);
        _content.AppendData(Encoding.UTF8.GetBytes(path));
        _content.AppendData(_newline);
        _content.AppendData(Encoding.UTF8.GetBytes(sha));
        _content.AppendData(_newline);
        await _spoolWriter.WriteLineAsync($"{path}\t{sha}\t{json.Length}".AsMemory(), cancellationToken).ConfigureAwait(false);
        _types[^1] = (type, kind, count + 1);
        if (ns is not null)
        {
            _namespaces.Add(ns);
        }
        else if (type.IsNamespaces)
        {
            _namespaces.Add(name);
        }

        ObjectCount++;
        ObjectBytes += json.Length;
    }

    /// <summary>Writes manifest.json (built from the spool) as the last entry and ends the tar.</summary>
    public async Task FinishAsync(string id, string sourceCluster, string libraryVersion, BackupEncryptionInfo? encryption, CancellationToken cancellationToken)
    {
        await _spoolWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        _spool.Position = 0;
        var manifestPath = Path.Combine(Path.GetTempPath(), $"roostkeeper-manifest-{Guid.NewGuid():N}.json");
        var manifestFile = new FileStream(manifestPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (manifestFile.ConfigureAwait(false))
        {
            var json = new Utf8JsonWriter(manifestFile, new JsonWriterOptions { Indented = true });
            await using (json.ConfigureAwait(false))
            {
                json.WriteStartObject();
                json.WriteNumber("formatVersion", RecoveryConstants.FormatVersion);
                json.WriteString("id", id);
                json.WriteString("createdAt", _timestamp);
                json.WriteString("sourceCluster", sourceCluster);
                json.WritePropertyName("namespaces");
                JsonSerializer.Serialize(json, _namespaces, ManifestJson.Options);
                json.WritePropertyName("resourceTypes");
                JsonSerializer.Serialize(json, ResourceTypes, ManifestJson.Options);
                json.WriteString("libraryVersion", libraryVersion);
                if (encryption is not null)
                {
                    json.WritePropertyName("encryption");
                    JsonSerializer.Serialize(json, encryption, ManifestJson.Options);
                }

                json.WriteString("contentSha256", Sha256Hex.Format(_content.GetHashAndReset()));
                json.WriteStartArray("objects");
                using (var reader = new StreamReader(_spool, Encoding.UTF8, false, 64 * 1024, leaveOpen: true))
                {
                    while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        var parts = line.Split('\t');
                        json.WriteStartObject();
                        json.WriteString("path", parts[0]);
                        json.WriteString("sha256", parts[1]);
                        json.WriteNumber("size", long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
                        json.WriteEndObject();
                        if (json.BytesPending > 32 * 1024)
                        {
                            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            manifestFile.Position = 0;
            await _tar.WriteEntryAsync(Entry(RecoveryConstants.ManifestEntryName, manifestFile), cancellationToken).ConfigureAwait(false);
        }

        await _tar.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A plain ustar entry when the path fits its 100-byte name field (ASCII), else a pax entry, whose extended
    /// header carries the long path. Pax entries always get an extended header (two 512-byte blocks), which for
    /// objects of about a kilobyte would be 40 % of the archive; ustar entries are valid in a pax archive and
    /// every tar reads them.
    /// </summary>
    private TarEntry Entry(string path, Stream data)
    {
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        TarEntry entry = path.Length <= UstarNameLength && Ascii.IsValid(path)
            ? new UstarTarEntry(TarEntryType.RegularFile, path)
            : new PaxTarEntry(TarEntryType.RegularFile, path);
        entry.ModificationTime = _timestamp;
        entry.Mode = mode;
        entry.DataStream = data;
        return entry;
    }

    public async ValueTask DisposeAsync()
    {
        await _tar.DisposeAsync().ConfigureAwait(false);
        await _spoolWriter.DisposeAsync().ConfigureAwait(false);
        await _spool.DisposeAsync().ConfigureAwait(false);
        _content.Dispose();
    }
}
