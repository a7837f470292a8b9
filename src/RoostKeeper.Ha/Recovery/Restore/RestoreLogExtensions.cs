using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Recovery.Restore;

internal static class RestoreLogExtensions
{
    public static void LogObjectFailed(this ILogger logger, string backupId, RestoredObject result) =>
        RecoveryLog.ObjectFailed(logger, backupId, result.Kind, result.Namespace, result.Name, result.Error ?? "unknown");
}
