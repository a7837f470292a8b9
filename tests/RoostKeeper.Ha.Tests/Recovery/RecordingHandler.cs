using System.Collections.Concurrent;
using System.Net;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>Records every request a client sends and can answer PUTs with an error instead of sending them.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    public ConcurrentQueue<(HttpMethod Method, Uri Uri)> Requests { get; } = new();

    public HttpStatusCode? FailPutsWith { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue((request.Method, request.RequestUri!));
        if (request.Method == HttpMethod.Put && FailPutsWith is { } status)
        {
            return new HttpResponseMessage(status)
            {
                RequestMessage = request,
                Content = new StringContent($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"admission webhook denied the update","reason":"Invalid","code":{{(int)status}}}""", System.Text.Encoding.UTF8, "application/json"),
            };
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
