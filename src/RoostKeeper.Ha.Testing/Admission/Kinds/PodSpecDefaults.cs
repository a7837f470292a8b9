using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// core/v1's defaulters for a pod spec, wherever it appears (a Pod, or the template of a Deployment,
/// ReplicaSet, StatefulSet or DaemonSet): SetDefaults_PodSpec, _Container, _ContainerPort, _Probe,
/// _HTTPGetAction, _Volume, _ObjectFieldSelector and the secret and configMap volume modes.
/// </summary>
internal static class PodSpecDefaults
{
    public static void Apply(JsonObject spec)
    {
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30L;
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        var hostNetwork = JsonFields.Bool(spec["hostNetwork"]);
        foreach (var list in new[] { "initContainers", "containers", "ephemeralContainers" })
        {
            foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                Container(container, hostNetwork);
            }
        }

        foreach (var volume in (spec["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            Volume(volume);
        }
    }

    /// <summary>IfNotPresent for an image with a tag other than latest (or a digest), else Always.</summary>
    public static string PullPolicyFor(string image)
    {
        var withoutDigest = image.Split('@')[0];
        var hasDigest = withoutDigest.Length != image.Length;
        var colon = withoutDigest.LastIndexOf(':');
        var tag = colon > withoutDigest.LastIndexOf('/') ? withoutDigest[(colon + 1)..] : hasDigest ? "" : "latest";
        return tag == "latest" ? "Always" : "IfNotPresent";
    }

    private static void Container(JsonObject container, bool hostNetwork)
    {
        if (container["imagePullPolicy"] is null && JsonFields.String(container["image"]) is { } image)
        {
            container["imagePullPolicy"] = PullPolicyFor(image);
        }

        container["terminationMessagePath"] ??= "/dev/termination-log";
        container["terminationMessagePolicy"] ??= "File";
        foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            if (hostNetwork && port["hostPort"] is null && port["containerPort"] is { } containerPort)
            {
                port["hostPort"] = containerPort.DeepClone();
            }
        }

        foreach (var env in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (env["valueFrom"]?["fieldRef"] is JsonObject fieldRef)
            {
                fieldRef["apiVersion"] ??= "v1";
            }
        }

        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (container[probe] is JsonObject p)
            {
                p["timeoutSeconds"] ??= 1;
                p["periodSeconds"] ??= 10;
                p["successThreshold"] ??= 1;
                p["failureThreshold"] ??= 3;
                if (p["httpGet"] is JsonObject httpGet)
                {
                    httpGet["path"] ??= "/";
                    httpGet["scheme"] ??= "HTTP";
                }
            }
        }
    }

    private static void Volume(JsonObject volume)
    {
        if (volume.Count(p => p.Key != "name") == 0)
        {
            volume["emptyDir"] = new JsonObject();
        }

        foreach (var source in new[] { "secret", "configMap", "downwardAPI", "projected" })
        {
            if (volume[source] is JsonObject s)
            {
                s["defaultMode"] ??= 420;
            }
        }
    }
}
