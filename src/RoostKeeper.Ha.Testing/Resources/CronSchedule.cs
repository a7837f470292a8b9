using Cronos;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>A CronJob's <c>spec.schedule</c>, read the same way by its validation and by its controller.</summary>
internal static class CronSchedule
{
    /// <summary>Parses a schedule as the CronJob controller does (five fields or a macro), or returns why it cannot.</summary>
    public static CronExpression? Parse(string? schedule, out string? problem)
    {
        problem = null;
        try
        {
            return CronExpression.Parse(schedule ?? "", CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            problem = e.Message;
            return null;
        }
    }
}
