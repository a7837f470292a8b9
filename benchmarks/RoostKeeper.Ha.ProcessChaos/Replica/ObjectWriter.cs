using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Fencing;

namespace RoostKeeper.Ha.ProcessChaos.Replica;

/// <summary>
/// The controller's work while it leads: read-modify-write of a fixed set of ConfigMaps, round robin, each
/// write carrying the term (data.term, data.holder and the fence's stamp) and a sequence number one past the
/// one read (data.seq), so the runner can tell a stale write and a lost update from the server's record alone.
/// Between the read and the write it "thinks" a little, like a reconcile: the window a pause can land in.
/// </summary>
/// <remarks>
/// The read observes the term's token; the think and the write do not, as if the pause landed after the last
/// check of the token (a GC pause can stop a thread anywhere; SIGSTOP at a random instant rarely lands in that
/// window, and the clock-driven token usually fires first on waking). So the fence must hold on its own, and
/// the control (fencing off) shows what a paused leader's late write does without it.
/// </remarks>
internal sealed class ObjectWriter(IKubernetes client, string @namespace, int objects, WriteMode mode, TimeSpan think)
{
    public const string SeqKey = "seq";
    public const string TermKey = "term";
    public const string HolderKey = "holder";

    public static string ObjectName(int i) => "obj-" + i.ToString(CultureInfo.InvariantCulture);

    public async Task RunAsync(Leadership leadership, CancellationToken term)
    {
        var fence = TermFence.For(leadership);
        for (var i = 0; !term.IsCancellationRequested; i = (i + 1) % objects)
        {
            try
            {
                await WriteOnceAsync(ObjectName(i), fence, term);
            }
            catch (StaleTermException e)
            {
                // A newer term wrote this object: this term is over. Stop writing; the elector ends the term.
                ReplicaLine.Emit(ReplicaLine.Refused, leadership.Term, e.NewerTerm.Term.ToString(CultureInfo.InvariantCulture));
                await Task.Delay(Timeout.InfiniteTimeSpan, term);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                ReplicaLine.Emit(ReplicaLine.Conflict, leadership.Term);
            }
            catch (Exception e) when (!term.IsCancellationRequested && e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
            {
                await Task.Delay(50, term);
            }
        }
    }

    private async Task WriteOnceAsync(string name, TermFence fence, CancellationToken term)
    {
        V1ConfigMap? map = null;
        try
        {
            map = await client.CoreV1.ReadNamespacedConfigMapAsync(name, @namespace, cancellationToken: term);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Not there yet: this write creates it.
        }

        ReplicaLine.Emit(ReplicaLine.Read, fence.Stamp.Term, name);
        await Task.Delay(think, CancellationToken.None);
        var seq = map?.Data?.TryGetValue(SeqKey, out var text) == true && long.TryParse(text, CultureInfo.InvariantCulture, out var read) ? read : 0;
        var data = new Dictionary<string, string>
        {
            [SeqKey] = (seq + 1).ToString(CultureInfo.InvariantCulture),
            [TermKey] = fence.Stamp.Term.ToString(CultureInfo.InvariantCulture),
            [HolderKey] = fence.Stamp.Holder,
        };

        if (map is null)
        {
            var fresh = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace }, Data = data };
            await fence.CreateAsync(fresh, (m, ct) => client.CoreV1.CreateNamespacedConfigMapAsync(m, @namespace, cancellationToken: ct), CancellationToken.None);
            return;
        }

        map.Data = data;
        if (mode == WriteMode.Fenced)
        {
            await fence.ReplaceAsync(map, Replace, CancellationToken.None);
            return;
        }

        if (mode == WriteMode.CheckOnly)
        {
            fence.Check(map);
        }

        // The stamp still goes on (the runner reads it), without the fence's protection.
        map.Metadata.Annotations ??= new Dictionary<string, string>();
        map.Metadata.Annotations[fence.Annotation] = fence.Stamp.ToString();
        if (mode is WriteMode.Unfenced or WriteMode.CheckOnly)
        {
            map.Metadata.ResourceVersion = null;
        }

        await Replace(map, CancellationToken.None);
    }

    private Task<V1ConfigMap> Replace(V1ConfigMap map, CancellationToken cancellationToken) =>
        client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, @namespace, cancellationToken: cancellationToken);
}
