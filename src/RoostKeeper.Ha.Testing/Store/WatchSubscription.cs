using System.Threading.Channels;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>A live watch on the store: its events arrive in resourceVersion order on <see cref="Events"/>.</summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly ObjectStore _store;
    private readonly Channel<WatchEvent> _channel;

    public WatchSubscription(ObjectStore store, WatchFilter filter, Channel<WatchEvent> channel)
    {
        _store = store;
        Filter = filter;
        _channel = channel;
    }

    public WatchFilter Filter { get; }

    public ChannelReader<WatchEvent> Events => _channel.Reader;

    internal void Publish(WatchEvent e) => _channel.Writer.TryWrite(e);

    internal void Complete() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        _store.Unsubscribe(this);
        Complete();
    }
}
