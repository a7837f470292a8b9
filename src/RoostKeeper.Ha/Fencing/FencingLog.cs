using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Fencing;

/// <summary>Fencing's log messages, with stable event ids (7000–7099).</summary>
internal static partial class FencingLog
{
    [LoggerMessage(7000, LogLevel.Warning, "Fenced: {Object} not written in term {Term}: it carries term {NewerTerm} of {NewerHolder}")]
    public static partial void RefusedStale(ILogger logger, string @object, long term, long newerTerm, string newerHolder);

    [LoggerMessage(7001, LogLevel.Warning, "Fenced: {Object} not written in term {Term}: its stamp {Annotation} {Reason}")]
    public static partial void RefusedInvalid(ILogger logger, string @object, long term, string annotation, string reason);
}
