using System.Buffers.Binary;

namespace RoostKeeper.Ha.Recovery.Encryption;

/// <summary>
/// The chunk framing shared by writer and reader. Each chunk is: plaintext length (int32 LE), ciphertext,
/// 16-byte tag. Its nonce is the header's 4-byte prefix followed by the chunk index (uint64 LE), so no
/// nonce repeats under one key within an archive and a random prefix separates archives; its associated
/// data is the header, the index and a final-chunk flag, so chunks cannot be reordered, dropped, or the
/// archive cut short at a chunk boundary without the reader noticing.
/// </summary>
internal static class AesGcmChunks
{
    public const int TagSize = 16;
    public const int DefaultChunkSize = 64 * 1024;

    public static byte[] Nonce(EncryptionHeader header, ulong index)
    {
        var nonce = new byte[12];
        header.NoncePrefix.CopyTo(nonce, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), index);
        return nonce;
    }

    public static byte[] AssociatedData(byte[] headerBytes, ulong index, bool final)
    {
        var data = new byte[headerBytes.Length + 9];
        headerBytes.CopyTo(data, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(headerBytes.Length), index);
        data[^1] = final ? (byte)1 : (byte)0;
        return data;
    }
}
