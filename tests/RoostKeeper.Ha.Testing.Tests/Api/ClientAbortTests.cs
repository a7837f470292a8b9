using System.Net;
using System.Text;

namespace RoostKeeper.Ha.Testing.Tests.Api;

/// <summary>SimulatedCluster.Errors holds simulator faults only: a client that gives up mid-request is not one.</summary>
public sealed class ClientAbortTests
{
    [Fact]
    public async Task A_PUT_cancelled_mid_body_100_times_leaves_Errors_empty()
    {
        var cluster = await SimulatedCluster.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = cluster.BaseAddress };
            for (var i = 0; i < 100; i++)
            {
                var content = new HalfSentBody();
                using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/namespaces/default/configmaps/cm-{i}") { Content = content };
                using var cancel = new CancellationTokenSource();
                var sending = http.SendAsync(request, cancel.Token);
                await content.HalfSent.WaitAsync(TimeSpan.FromSeconds(30));
                await cancel.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            }

            // The server is still fine, and answers a whole request.
            using var ok = await http.GetAsync("/api/v1/namespaces");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        finally
        {
            // Stopping waits for the aborted requests' handlers, so every one of them has finished.
            await cluster.DisposeAsync();
        }

        Assert.Empty(cluster.Errors);
    }

    /// <summary>Announces a longer body than it sends: writes half, then waits until the request is cancelled.</summary>
    private sealed class HalfSentBody : HttpContent
    {
        private static readonly byte[] Half = Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"");

        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HalfSentBody() => Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        public Task HalfSent => _halfSent.Task;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(Half, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _halfSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Half.Length * 2;
            return true;
        }
    }
}
