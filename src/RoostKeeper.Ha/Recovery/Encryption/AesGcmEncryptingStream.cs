using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RoostKeeper.Ha.Recovery.Encryption;

/// <summary>
/// A write-only stream that encrypts what is written to it in chunks (see <see cref="AesGcmChunks"/>) and
/// writes them to the inner stream; memory is one chunk. <see cref="FinishAsync"/> writes the final chunk;
/// an archive without it is refused as truncated.
/// </summary>
internal sealed class AesGcmEncryptingStream : WriteOnlyStream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly EncryptionHeader _header;
    private readonly byte[] _headerBytes;
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private int _filled;
    private ulong _index;
    private bool _headerWritten;
    private bool _finished;

    public AesGcmEncryptingStream(Stream inner, byte[] key, EncryptionHeader header)
    {
        _inner = inner;
        _aes = new AesGcm(key, AesGcmChunks.TagSize);
        _header = header;
        _headerBytes = header.ToBytes();
        _plain = new byte[header.ChunkSize];
        _cipher = new byte[header.ChunkSize + AesGcmChunks.TagSize + 4];
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _plain.Length)
            {
                await EmitAsync(final: false, cancellationToken).ConfigureAwait(false);
            }

            var n = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer.Span[..n].CopyTo(_plain.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
        }
    }

    /// <summary>Encrypts what remains as the final chunk. Nothing may be written after.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return;
        }

        await EmitAsync(final: true, cancellationToken).ConfigureAwait(false);
        _finished = true;
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush()
    {
        // Chunks are emitted when full or at FinishAsync; a partial chunk cannot be flushed without ending the archive.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task EmitAsync(bool final, CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            await _inner.WriteAsync(_headerBytes, cancellationToken).ConfigureAwait(false);
            _headerWritten = true;
        }

        BinaryPrimitives.WriteInt32LittleEndian(_cipher, _filled);
        _aes.Encrypt(
            AesGcmChunks.Nonce(_header, _index),
            _plain.AsSpan(0, _filled),
            _cipher.AsSpan(4, _filled),
            _cipher.AsSpan(4 + _filled, AesGcmChunks.TagSize),
            AesGcmChunks.AssociatedData(_headerBytes, _index, final));
        await _inner.WriteAsync(_cipher.AsMemory(0, 4 + _filled + AesGcmChunks.TagSize), cancellationToken).ConfigureAwait(false);
        _index++;
        _filled = 0;
    }
}
