using System.Globalization;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Controllers;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api.Tables;

/// <summary>The printer columns of batch/v1 Jobs (printJob): Status, Completions, Duration, Age; wide: Containers, Images, Selector.</summary>
internal static class JobColumns
{
    public static TableColumn[] For(TableColumn age, TableColumn containers, TableColumn images, TableColumn selector) =>
    [
        new TableColumn("Status", "string", 0, (o, _) => Status(o)),
        new TableColumn("Completions", "string", 0, (o, _) => Completions(o)),
        new TableColumn("Duration", "string", 0, (o, now) => Duration(o, now)),
        age, containers, images, selector,
    ];

    private static string Status(JsonObject job) =>
        StatusConditions.IsTrue(job, "Complete") ? "Complete"
        : StatusConditions.IsTrue(job, "Failed") ? "Failed"
        : job["metadata"]?["deletionTimestamp"] is not null ? "Terminating"
        : StatusConditions.IsTrue(job, "Suspended") ? "Suspended"
        : StatusConditions.IsTrue(job, "FailureTarget") ? "FailureTarget"
        : StatusConditions.IsTrue(job, "SuccessCriteriaMet") ? "SuccessCriteriaMet"
        : "Running";

    private static string Completions(JsonObject job)
    {
        var succeeded = JsonFields.Int(job["status"]?["succeeded"], 0).ToString(CultureInfo.InvariantCulture);
        if (JsonFields.Long(job["spec"]?["completions"]) is { } completions)
        {
            return $"{succeeded}/{completions.ToString(CultureInfo.InvariantCulture)}";
        }

        var parallelism = JsonFields.Int(job["spec"]?["parallelism"], 0);
        return parallelism > 1 ? $"{succeeded}/1 of {parallelism.ToString(CultureInfo.InvariantCulture)}" : $"{succeeded}/1";
    }

    private static string Duration(JsonObject job, DateTimeOffset now)
    {
        if (JsonFields.Time(job["status"]?["startTime"]) is not { } start)
        {
            return "";
        }

        var end = JsonFields.Time(job["status"]?["completionTime"]) ?? now;
        return TableColumns.HumanDuration(end - start);
    }
}
