using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>The ManagedRoost CustomResourceDefinition (crd/managedroosts.yaml, embedded) and applying it.</summary>
internal static class ManagedRoostDefinition
{
    public static V1CustomResourceDefinition Load()
    {
        using var stream = typeof(ManagedRoostDefinition).Assembly.GetManifestResourceStream("managedroosts.yaml")
            ?? throw new InvalidOperationException("The embedded resource managedroosts.yaml is missing from the sample's assembly.");
        using var reader = new StreamReader(stream);
        return KubernetesYaml.Deserialize<V1CustomResourceDefinition>(reader.ReadToEnd());
    }

    /// <summary>Creates the CRD, or replaces it when it exists, and waits until it is Established.</summary>
    public static async Task ApplyAsync(IKubernetes client, ILogger logger, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var definition = Load();
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(definition, cancellationToken: cancellationToken);
            ControllerLog.DefinitionApplied(logger, definition.Metadata.Name, "created");
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
        {
            var existing = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(definition.Metadata.Name, cancellationToken: cancellationToken);
            definition.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(definition, definition.Metadata.Name, cancellationToken: cancellationToken);
            ControllerLog.DefinitionApplied(logger, definition.Metadata.Name, "updated");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var current = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(definition.Metadata.Name, cancellationToken: deadline.Token);
            if (current.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true)
            {
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"CustomResourceDefinition {definition.Metadata.Name} was not Established within {timeout.TotalSeconds:F0} s; see `kubectl describe crd {definition.Metadata.Name}`.");
            }
        }
    }
}
