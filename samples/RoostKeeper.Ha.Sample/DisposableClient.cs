using k8s;

namespace RoostKeeper.Ha.Sample;

internal sealed class DisposableClient(IKubernetes client) : IAsyncDisposable
{
    public IKubernetes Client { get; } = client;

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }
}
