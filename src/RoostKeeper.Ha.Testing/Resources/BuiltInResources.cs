namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// The kinds every v1.33 cluster serves, as its discovery lists them (scope, short names, categories, verbs,
/// status and scale subresources) with the field labels its field selectors accept. Adding a kind is one
/// entry here: it is then discovered, stored (as a plain object unless admission or a controller gives it
/// semantics), listed, watched and printed with the default columns. The kinds code refers to by name are
/// fields of <see cref="ResourceRegistry"/>, listed here among the others.
/// </summary>
internal static class BuiltInResources
{
    private static readonly string[] All = ["all"];
    private static readonly string[] ApiExtensions = ["api-extensions"];
    private static readonly string[] CreateOnly = ["create"];

    public static IReadOnlyList<ResourceType> Kinds { get; } =
    [
        // core/v1
        new("", "v1", "bindings", "Binding", true, false, "binding") { Verbs = CreateOnly, IsReview = true },
        new("", "v1", "componentstatuses", "ComponentStatus", false, false, "componentstatus", ["cs"]) { Verbs = ["get", "list"] },
        new("", "v1", "configmaps", "ConfigMap", true, false, "configmap", ["cm"]),
        new("", "v1", "endpoints", "Endpoints", true, false, "endpoints", ["ep"]),
        ResourceRegistry.Events,
        new("", "v1", "limitranges", "LimitRange", true, false, "limitrange", ["limits"]),
        ResourceRegistry.Namespaces,
        new("", "v1", "nodes", "Node", false, true, "node", ["no"])
        {
            FieldLabels = Labels(("spec.unschedulable", new FieldLabel("spec.unschedulable", "false"))),
        },
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, "persistentvolumeclaim", ["pvc"]),
        new("", "v1", "persistentvolumes", "PersistentVolume", false, true, "persistentvolume", ["pv"]),
        ResourceRegistry.Pods,
        new("", "v1", "podtemplates", "PodTemplate", true, false, "podtemplate"),
        new("", "v1", "replicationcontrollers", "ReplicationController", true, true, "replicationcontroller", ["rc"], All)
        {
            Scale = ScaleSubresource.Workload,
            FieldLabels = Labels(("status.replicas", new FieldLabel("status.replicas", "0"))),
        },
        new("", "v1", "resourcequotas", "ResourceQuota", true, true, "resourcequota", ["quota"]),
        new("", "v1", "secrets", "Secret", true, false, "secret") { FieldLabels = Labels(("type", new FieldLabel("type"))) },
        new("", "v1", "serviceaccounts", "ServiceAccount", true, false, "serviceaccount", ["sa"]),
        ResourceRegistry.Services,

        // apps/v1
        ResourceRegistry.ControllerRevisions,
        new("apps", "v1", "daemonsets", "DaemonSet", true, true, "daemonset", ["ds"], All),
        ResourceRegistry.Deployments,
        ResourceRegistry.ReplicaSets,
        ResourceRegistry.StatefulSets,

        // Reviews: answered, never stored (see ApiServer.Reviews).
        new("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false, false, "selfsubjectreview") { Verbs = CreateOnly, IsReview = true },
        new("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false, false, "tokenreview") { Verbs = CreateOnly, IsReview = true },
        new("authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview", true, false, "localsubjectaccessreview") { Verbs = CreateOnly, IsReview = true },
        new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, false, "selfsubjectaccessreview") { Verbs = CreateOnly, IsReview = true },
        new("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false, false, "selfsubjectrulesreview") { Verbs = CreateOnly, IsReview = true },
        new("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false, false, "subjectaccessreview") { Verbs = CreateOnly, IsReview = true },

        // autoscaling: v2 first, the preferred version.
        new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, true, "horizontalpodautoscaler", ["hpa"], All),
        new("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, true, "horizontalpodautoscaler", ["hpa"], All),

        // batch/v1
        ResourceRegistry.CronJobs,
        ResourceRegistry.Jobs,

        new("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", false, true, "certificatesigningrequest", ["csr"])
        {
            FieldLabels = Labels(("spec.signerName", new FieldLabel("spec.signerName"))),
        },
        ResourceRegistry.Leases,
        ResourceRegistry.EndpointSlices,
        ResourceRegistry.EventsV1,
        new("flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "FlowSchema", false, true, "flowschema"),
        new("flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", "PriorityLevelConfiguration", false, true, "prioritylevelconfiguration"),

        // networking.k8s.io/v1
        new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, false, "ingressclass"),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", true, true, "ingress", ["ing"]),
        new("networking.k8s.io", "v1", "ipaddresses", "IPAddress", false, false, "ipaddress", ["ip"]),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, false, "networkpolicy", ["netpol"]),
        new("networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", false, true, "servicecidr"),

        new("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false, false, "runtimeclass"),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true, "poddisruptionbudget", ["pdb"]),

        // rbac.authorization.k8s.io/v1
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, false, "clusterrolebinding"),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, false, "clusterrole"),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false, "rolebinding"),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false, "role"),

        new("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, false, "priorityclass", ["pc"]),

        // storage.k8s.io/v1
        new("storage.k8s.io", "v1", "csidrivers", "CSIDriver", false, false, "csidriver"),
        new("storage.k8s.io", "v1", "csinodes", "CSINode", false, false, "csinode"),
        new("storage.k8s.io", "v1", "csistoragecapacities", "CSIStorageCapacity", true, false, "csistoragecapacity"),
        new("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, false, "storageclass", ["sc"]),
        new("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", false, true, "volumeattachment"),

        // admissionregistration.k8s.io/v1 (stored; no webhook or policy is ever called)
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false, false, "mutatingwebhookconfiguration", null, ApiExtensions),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false, true, "validatingadmissionpolicy", null, ApiExtensions),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", false, false, "validatingadmissionpolicybinding", null, ApiExtensions),
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, false, "validatingwebhookconfiguration", null, ApiExtensions),

        ResourceRegistry.CustomResourceDefinitions,
        new("apiregistration.k8s.io", "v1", "apiservices", "APIService", false, true, "apiservice", null, ApiExtensions),
    ];

    /// <summary>A kind's field labels beyond metadata.name and metadata.namespace.</summary>
    public static IReadOnlyDictionary<string, FieldLabel> Labels(params (string Label, FieldLabel Field)[] labels) =>
        labels.ToDictionary(l => l.Label, l => l.Field, StringComparer.Ordinal);

    /// <summary>Field labels whose value is at the path of the same name.</summary>
    public static IReadOnlyDictionary<string, FieldLabel> SamePath(params string[] labels) =>
        labels.ToDictionary(l => l, l => new FieldLabel(l), StringComparer.Ordinal);
}
