using System.Security.Cryptography;
using System.Text;
using k8s;
using RoostKeeper.Ha.Recovery.Archive;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// The 256-bit key backups are encrypted with (AES-256-GCM). Give it as bytes, or name a file or a
/// Kubernetes Secret to read it from when a backup or restore needs it (so a rotated Secret is picked up).
/// A file or Secret value is either 32 raw bytes or their base64 (e.g. from <c>openssl rand -base64 32</c>).
/// </summary>
public sealed class BackupEncryptionKey
{
    /// <summary>The key size in bytes: 32.</summary>
    public const int KeySizeBytes = 32;

    private readonly byte[]? _key;
    private readonly Func<IKubernetes, CancellationToken, Task<byte[]>>? _load;

    private BackupEncryptionKey(byte[]? key, Func<IKubernetes, CancellationToken, Task<byte[]>>? load, string description)
    {
        _key = key;
        _load = load;
        Description = description;
    }

    /// <summary>Where the key comes from, for messages (never the key itself).</summary>
    public string Description { get; }

    /// <summary>A key given as its 32 bytes.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public static BackupEncryptionKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySizeBytes)
        {
            throw new ArgumentException($"An AES-256 key is {KeySizeBytes} bytes; this one is {key.Length}. Generate one with: openssl rand -base64 32", nameof(key));
        }

        return new BackupEncryptionKey(key.ToArray(), null, "a key given in code");
    }

    /// <summary>A key read from a file (32 raw bytes or their base64) each time it is needed.</summary>
    /// <param name="path">The file, e.g. a mounted Secret volume's file.</param>
    /// <returns>The key source.</returns>
    public static BackupEncryptionKey FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new BackupEncryptionKey(null, async (_, ct) => Decode(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), $"file {path}"), $"file {path}");
    }

    /// <summary>A key read from a data key of a Kubernetes Secret each time it is needed.</summary>
    /// <param name="namespace">The Secret's namespace.</param>
    /// <param name="name">The Secret's name.</param>
    /// <param name="dataKey">The key in the Secret's data; default "backup-key".</param>
    /// <returns>The key source.</returns>
    public static BackupEncryptionKey FromSecret(string @namespace, string name, string dataKey = "backup-key")
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(dataKey);
        var description = $"Secret {@namespace}/{name} key {dataKey}";
        return new BackupEncryptionKey(null, async (client, ct) =>
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: ct).ConfigureAwait(false);
            if (secret.Data is null || !secret.Data.TryGetValue(dataKey, out var value))
            {
                throw new InvalidOperationException($"Secret {@namespace}/{name} has no data key {dataKey}; put the backup key there (32 bytes, or their base64).");
            }

            return Decode(value, description);
        }, description);
    }

    /// <summary>The key's bytes, read from its source now.</summary>
    internal async Task<ResolvedKey> ResolveAsync(IKubernetes client, CancellationToken cancellationToken) =>
        new(_key ?? await _load!(client, cancellationToken).ConfigureAwait(false));

    private static byte[] Decode(byte[] raw, string source)
    {
        if (raw.Length == KeySizeBytes)
        {
            return raw;
        }

        var text = Encoding.ASCII.GetString(raw).Trim();
        try
        {
            var decoded = Convert.FromBase64String(text);
            if (decoded.Length == KeySizeBytes)
            {
                return decoded;
            }
        }
        catch (FormatException)
        {
            // Reported below with the rule.
        }

        throw new InvalidOperationException($"The backup key in {source} is neither {KeySizeBytes} bytes nor their base64. Generate one with: openssl rand -base64 32");
    }

    /// <summary>Key bytes ready for use, and their id.</summary>
    internal sealed class ResolvedKey(byte[] key)
    {
        public byte[] Key { get; } = key;

        /// <summary>HMAC-SHA256(key, "RoostKeeper.Ha backup key id"), first 8 bytes as hex: names the key without revealing it.</summary>
        public string Id { get; } = Sha256Hex.Format(HMACSHA256.HashData(key, "RoostKeeper.Ha backup key id"u8)[..8]);
    }
}
