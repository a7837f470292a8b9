using k8s;
using k8s.Autorest;
using k8s.Models;

namespace RoostKeeper.Ha.Sample;

internal static class SampleCluster
{
    public static async Task EnsureNamespaceAsync(IKubernetes client, string ns)
    {
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Already there (a real cluster that ran the sample before).
        }
    }
}
