using RoostKeeper.Ha.Testing.Api;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The resource types the StatefulSet and Job controllers work with that the registry does not name elsewhere.</summary>
internal static class WorkloadKinds
{
    private static readonly string[] AllCategory = ["all"];

    public static readonly ResourceType StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet", true, true, "statefulset", ["sts"], AllCategory);
    public static readonly ResourceType ControllerRevisions = new("apps", "v1", "controllerrevisions", "ControllerRevision", true, false, "controllerrevision");
    public static readonly ResourceType Jobs = new("batch", "v1", "jobs", "Job", true, true, "job", null, AllCategory);
    public static readonly ResourceType CronJobs = new("batch", "v1", "cronjobs", "CronJob", true, true, "cronjob", ["cj"], AllCategory);

    /// <summary>Served in addition to the registry's own list (StatefulSets are already there).</summary>
    public static readonly ResourceType[] Served = [ControllerRevisions, Jobs, CronJobs];
}
