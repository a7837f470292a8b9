using System.Diagnostics;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Benchmarks.RollingUpdates;

/// <summary>
/// What an operator (or a CI job) does with kubectl alone: <c>kubectl set image</c>, <c>kubectl rollout status</c> until it
/// fails (ProgressDeadlineExceeded), then <c>kubectl rollout undo</c> and <c>kubectl rollout status</c> again.
/// "real" runs the kubectl on PATH with a kubeconfig pointing at the simulator; "model" applies the same rules in process
/// (RolloutStatusEvaluator polled every second, as kubectl's watch would see it, and DeploymentRollback's patch).
/// </summary>
internal sealed class KubectlProcedure(IKubernetes client, Uri server, string ns, string name, bool real)
{
    /// <summary>Runs the procedure; returns when the rollout status after undo has returned.</summary>
    public async Task RunAsync(string image, Action rollbackStarting, CancellationToken cancellationToken)
    {
        if (real)
        {
            var kubeconfig = Path.Combine(Path.GetTempPath(), $"roostha-bench-{Guid.NewGuid():N}.yaml");
            await File.WriteAllTextAsync(kubeconfig, $"""
                apiVersion: v1
                kind: Config
                clusters: [{"{"}name: sim, cluster: {"{"}server: "{server.ToString().TrimEnd('/')}"{"}"}{"}"}]
                users: [{"{"}name: sim, user: {"{"}token: bench{"}"}{"}"}]
                contexts: [{"{"}name: sim, context: {"{"}cluster: sim, user: sim, namespace: {ns}{"}"}{"}"}]
                current-context: sim
                """, cancellationToken);
            try
            {
                await KubectlAsync(kubeconfig, ["set", "image", $"deployment/{name}", $"{name}={image}"], expectSuccess: true, cancellationToken);
                var status = await KubectlAsync(kubeconfig, ["rollout", "status", $"deployment/{name}", "--timeout=0"], expectSuccess: false, cancellationToken);
                if (status.ExitCode == 0)
                {
                    throw new InvalidOperationException("kubectl rollout status reported success for a crash-looping image");
                }

                rollbackStarting();
                await KubectlAsync(kubeconfig, ["rollout", "undo", $"deployment/{name}"], expectSuccess: true, cancellationToken);
                await KubectlAsync(kubeconfig, ["rollout", "status", $"deployment/{name}", "--timeout=0"], expectSuccess: true, cancellationToken);
            }
            finally
            {
                File.Delete(kubeconfig);
            }

            return;
        }

        await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(new { spec = new { template = new { spec = new { containers = new[] { new { name, image } } } } } }, V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: cancellationToken);
        await WaitAsync(RolloutState.DeadlineExceeded, cancellationToken);
        rollbackStarting();
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);
        var replicaSets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns, labelSelector: "app=" + name, cancellationToken: cancellationToken)).Items;
        var patch = DeploymentRollback.BuildPatch(deployment, DeploymentRollback.FindRevision(replicaSets, 0)!)!;
        await client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, ns, cancellationToken: cancellationToken);
        await WaitAsync(RolloutState.Complete, cancellationToken);
    }

    private async Task WaitAsync(RolloutState until, CancellationToken cancellationToken)
    {
        while (true)
        {
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);
            var state = RolloutStatusEvaluator.Evaluate(deployment).State;
            if (state == until || state == RolloutState.DeadlineExceeded)
            {
                return;
            }

            await Task.Delay(1000, cancellationToken);
        }
    }

    private static async Task<(int ExitCode, string Output)> KubectlAsync(string kubeconfig, string[] args, bool expectSuccess, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = (await stdout) + (await stderr);
        await Console.Error.WriteLineAsync($"  kubectl {string.Join(' ', args)} -> exit {process.ExitCode}: {output.Trim().Replace('\n', ' ')[..Math.Min(240, output.Trim().Length)]}");
        if (expectSuccess && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl {string.Join(' ', args)} failed ({process.ExitCode}): {output}");
        }

        return (process.ExitCode, output);
    }
}
