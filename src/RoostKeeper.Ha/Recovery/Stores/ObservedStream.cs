namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>A stream of the backup store whose exceptions are marked as the store's (see <see cref="StoreFailures"/>); it owns the inner stream.</summary>
internal sealed class ObservedStream(Stream inner, string store) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => Observe(() => inner.Length);

    public override long Position
    {
        get => Observe(() => inner.Position);
        set => Observe(() => inner.Position = value);
    }

    public override int Read(byte[] buffer, int offset, int count) => Observe(() => inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Observe(() => inner.Write(buffer, offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }

    public override void Flush() => Observe(inner.Flush);

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => Observe(() => inner.Seek(offset, origin));

    public override void SetLength(long value) => Observe(() => inner.SetLength(value));

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
        finally
        {
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Observe(inner.Dispose);
        }

        base.Dispose(disposing);
    }

    private T Observe<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }

    private void Observe(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }
}
