using RoostKeeper.Ha.Testing.Api;

namespace RoostKeeper.Ha.Testing;

/// <summary>Tags every request of a named client so the server can count it and apply its faults.</summary>
internal sealed class ClientNameHandler : DelegatingHandler
{
    private readonly string _name;

    public ClientNameHandler(string name) => _name = name;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(ApiServer.ClientHeader, _name);
        return base.SendAsync(request, cancellationToken);
    }
}
