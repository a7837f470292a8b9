using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sample;

/// <summary>
/// Stand-in for a controller's reconcile loop: while leading, it records who leads, and in which term,
/// in a ConfigMap. The term travels with every write so a reader can refuse a stale leader's write.
/// </summary>
internal sealed class HeartbeatController(IKubernetes client, string ns, Leadership leadership)
{
    public async Task RunAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                await WriteHeartbeatAsync(token);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                // A cut-off leader cannot write; the elector ends its term at the renew deadline.
            }

            await Task.Delay(TimeSpan.FromSeconds(1), token);
        }
    }

    private async Task WriteHeartbeatAsync(CancellationToken token)
    {
        var data = new Dictionary<string, string> { ["leader"] = leadership.Identity, ["term"] = leadership.Term.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        try
        {
            var existing = await client.CoreV1.ReadNamespacedConfigMapAsync("roost-keeper-heartbeat", ns, cancellationToken: token);
            existing.Data = data;
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(existing, "roost-keeper-heartbeat", ns, cancellationToken: token);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "roost-keeper-heartbeat" }, Data = data }, ns, cancellationToken: token);
        }
    }
}
