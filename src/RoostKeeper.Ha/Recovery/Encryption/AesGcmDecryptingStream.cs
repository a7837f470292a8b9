using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RoostKeeper.Ha.Recovery.Encryption;

/// <summary>
/// A read-only stream that decrypts and authenticates an encrypted archive chunk by chunk (the header has
/// been read already). A chunk that fails authentication, a missing final chunk or bytes after it throw
/// <see cref="CryptographicException"/> or <see cref="EndOfStreamException"/>, which the verifier reports
/// as a <see cref="BackupIntegrityException"/>.
/// </summary>
internal sealed class AesGcmDecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly EncryptionHeader _header;
    private readonly byte[] _headerBytes;
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private int _available;
    private int _offset;
    private ulong _index;
    private bool _sawFinal;

    public AesGcmDecryptingStream(Stream inner, byte[] key, EncryptionHeader header)
    {
        _inner = inner;
        _aes = new AesGcm(key, AesGcmChunks.TagSize);
        _header = header;
        _headerBytes = header.ToBytes();
        _plain = new byte[header.ChunkSize];
        _cipher = new byte[header.ChunkSize + AesGcmChunks.TagSize];
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_offset == _available)
        {
            if (_sawFinal)
            {
                return 0;
            }

            await NextChunkAsync(cancellationToken).ConfigureAwait(false);
        }

        var n = Math.Min(buffer.Length, _available - _offset);
        _plain.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task NextChunkAsync(CancellationToken cancellationToken)
    {
        var lengthBytes = new byte[4];
        var read = await _inner.ReadAtLeastAsync(lengthBytes, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < 4)
        {
            throw new EndOfStreamException($"The encrypted archive ends after chunk {_index} without its final chunk.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(lengthBytes);
        if (length < 0 || length > _plain.Length)
        {
            throw new CryptographicException($"Chunk {_index} declares {length} bytes, more than the chunk size {_plain.Length}.");
        }

        await _inner.ReadExactlyAsync(_cipher.AsMemory(0, length + AesGcmChunks.TagSize), cancellationToken).ConfigureAwait(false);
        var nonce = AesGcmChunks.Nonce(_header, _index);
        try
        {
            _aes.Decrypt(nonce, _cipher.AsSpan(0, length), _cipher.AsSpan(length, AesGcmChunks.TagSize), _plain.AsSpan(0, length), AesGcmChunks.AssociatedData(_headerBytes, _index, final: false));
        }
        catch (AuthenticationTagMismatchException)
        {
            // Not a middle chunk: it must be the final one, or it was tampered with.
            _aes.Decrypt(nonce, _cipher.AsSpan(0, length), _cipher.AsSpan(length, AesGcmChunks.TagSize), _plain.AsSpan(0, length), AesGcmChunks.AssociatedData(_headerBytes, _index, final: true));
            _sawFinal = true;
            if (await _inner.ReadAsync(lengthBytes.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new CryptographicException($"Bytes follow the final chunk ({_index}) of the encrypted archive.");
            }
        }

        _available = length;
        _offset = 0;
        _index++;
    }
}
