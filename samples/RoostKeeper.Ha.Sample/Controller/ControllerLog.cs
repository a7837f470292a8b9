using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>The sample controller's log events, ids 9000-9099.</summary>
internal static partial class ControllerLog
{
    [LoggerMessage(9000, LogLevel.Information, "ManagedRoost controller started on {Identity} in term {Term}, namespace {Namespace}")]
    public static partial void Started(ILogger logger, string identity, long term, string @namespace);

    [LoggerMessage(9001, LogLevel.Information, "ManagedRoost controller stopped on {Identity} (term {Term})")]
    public static partial void Stopped(ILogger logger, string identity, long term);

    [LoggerMessage(9002, LogLevel.Information, "Reconciled ManagedRoost {Namespace}/{Name} in term {Term}: {Detail}")]
    public static partial void Reconciled(ILogger logger, string @namespace, string name, long term, string detail);

    [LoggerMessage(9003, LogLevel.Warning, "Reconcile of ManagedRoost {Namespace}/{Name} failed: {Detail}")]
    public static partial void ReconcileFailed(ILogger logger, string @namespace, string name, string detail, Exception? exception);

    [LoggerMessage(9004, LogLevel.Warning, "Fenced: {Message}")]
    public static partial void Fenced(ILogger logger, string message);

    [LoggerMessage(9005, LogLevel.Warning, "Resync of namespace {Namespace} failed; retrying in {Period}")]
    public static partial void ResyncFailed(ILogger logger, string @namespace, TimeSpan period, Exception exception);

    [LoggerMessage(9006, LogLevel.Information, "Deleted ConfigMap {Namespace}/{Name}: its ManagedRoost is gone")]
    public static partial void OrphanDeleted(ILogger logger, string @namespace, string name);

    [LoggerMessage(9007, LogLevel.Debug, "A conditional write for ManagedRoost {Namespace}/{Name} in term {Term} was refused ({Detail}): it changed after it was read; it is reconciled again at the next resync")]
    public static partial void ChangedWhileReconciling(ILogger logger, string @namespace, string name, long term, string detail);

    [LoggerMessage(9008, LogLevel.Information, "CustomResourceDefinition {Name} {Action}")]
    public static partial void DefinitionApplied(ILogger logger, string name, string action);

    [LoggerMessage(9009, LogLevel.Warning, "Mutating endpoints use the bearer token from {Source}")]
    public static partial void TokenConfigured(ILogger logger, string source);

    [LoggerMessage(9010, LogLevel.Information, "Holding the update of ConfigMap {Namespace}/{Name} in term {Term} for {Delay} ({Option}: fault injection); it is sent after that even if the term has ended")]
    public static partial void HoldingWrite(ILogger logger, string @namespace, string name, long term, TimeSpan delay, string option);
}
