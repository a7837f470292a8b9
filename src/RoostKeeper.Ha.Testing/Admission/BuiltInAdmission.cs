using RoostKeeper.Ha.Testing.Admission.Kinds;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>The built-in kinds' admission: one registration per kind (a kind not listed gets metadata validation only).</summary>
internal static class BuiltInAdmission
{
    public static void RegisterAll(AdmissionChain chain)
    {
        chain.Register(ResourceRegistry.Namespaces, new NamespaceAdmission());
        chain.Register(ResourceRegistry.Pods, new PodAdmission());
        chain.Register(ResourceRegistry.Services, new ServiceAdmission());
        chain.Register("", "configmaps", new ConfigDataAdmission(isSecret: false));
        chain.Register("", "secrets", new ConfigDataAdmission(isSecret: true));
        chain.Register(ResourceRegistry.Deployments, WorkloadAdmission.Deployments());
        chain.Register(ResourceRegistry.ReplicaSets, WorkloadAdmission.ReplicaSets());
        chain.Register("apps", "statefulsets", WorkloadAdmission.StatefulSets());
        chain.Register("apps", "daemonsets", WorkloadAdmission.DaemonSets());
        chain.Register("batch", "jobs", new JobAdmission());
        chain.Register("batch", "cronjobs", new CronJobAdmission());
        foreach (var plural in new[] { "roles", "rolebindings", "clusterroles", "clusterrolebindings" })
        {
            chain.Register("rbac.authorization.k8s.io", plural, new NamedAdmission(NameRules.PathSegment));
        }
    }

    /// <summary>A kind whose only rule of its own is its name rule.</summary>
    private sealed class NamedAdmission(NameRules.NameRule rule) : KindAdmission
    {
        public override NameRules.NameRule NameRule => rule;
    }
}
