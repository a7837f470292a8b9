using System.Buffers.Binary;
using System.Security.Cryptography;
using RoostKeeper.Ha.Recovery.Archive;

namespace RoostKeeper.Ha.Recovery.Encryption;

/// <summary>
/// The 24-byte header of an encrypted archive: magic "RKHAENC1", the key id (8 bytes), a random nonce
/// prefix (4 bytes) and the chunk size (int32, little-endian). The whole header is authenticated as part
/// of every chunk's associated data.
/// </summary>
internal sealed record EncryptionHeader(byte[] KeyId, byte[] NoncePrefix, int ChunkSize)
{
    public const int Size = 24;

    private static ReadOnlySpan<byte> Magic => "RKHAENC1"u8;

    public string KeyIdHex => Sha256Hex.Format(KeyId);

    public static EncryptionHeader Create(string keyIdHex, int chunkSize) =>
        new(Convert.FromHexString(keyIdHex), RandomNumberGenerator.GetBytes(4), chunkSize);

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Magic.CopyTo(bytes);
        KeyId.CopyTo(bytes, 8);
        NoncePrefix.CopyTo(bytes, 16);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), ChunkSize);
        return bytes;
    }

    /// <summary>Reads the header, or returns null when the stream does not start with one.</summary>
    public static async Task<EncryptionHeader?> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var bytes = new byte[Size];
        var read = await input.ReadAtLeastAsync(bytes, Size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < Size || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            return null;
        }

        var chunkSize = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20));
        return chunkSize is <= 0 or > 16 * 1024 * 1024 ? null : new EncryptionHeader(bytes[8..16], bytes[16..20], chunkSize);
    }
}
