using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>
/// Runs an operation's work to its one final state. Every way the work can end is turned into a state the
/// caller can poll: its outcome, Cancelled when its token was cancelled, Failed with the facts for errors
/// users can act on, and Failed with only the exception's type and a trace id for a failure of the backup
/// store or anything unexpected (the message goes to the log: operations are read on open endpoints).
/// </summary>
internal sealed class OperationRunner
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OperationRunner(TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
    }

    public async Task RunAsync(Operation operation, Func<CancellationToken, Task<OperationOutcome>> work, Func<OperationError> cancelled, CancellationToken token)
    {
        try
        {
            var outcome = await work(token).ConfigureAwait(false);
            operation.Finish(outcome.State, _time.GetUtcNow(), outcome.Result, outcome.Error, outcome.BackupId);
            OperationLog.Finished(_logger, operation.Id, operation.Kind, outcome.State, operation.BackupId);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // A cancelled call may surface as an API, network or store error; with the token cancelled, cancellation is the cause.
            var error = cancelled();
            operation.Finish(OperationState.Cancelled, _time.GetUtcNow(), null, error);
            OperationLog.Cancelled(_logger, operation.Id, operation.Kind, error.Detail);
        }
        catch (Exception e) when (OperationErrors.Describe(e) is { } error)
        {
            operation.Finish(OperationState.Failed, _time.GetUtcNow(), null, error);
            OperationLog.Failed(_logger, operation.Id, operation.Kind, error.Detail);
        }
        catch (Exception e)
        {
            var error = OperationErrors.Hidden(e, operation.Id);
            operation.Finish(OperationState.Failed, _time.GetUtcNow(), null, error);
            if (error.Type == "BackupStore")
            {
                OperationLog.StoreFailed(_logger, e, operation.Id, operation.Kind, StoreFailures.StoreOf(e) ?? "the backup store");
            }
            else
            {
                OperationLog.FailedUnexpectedly(_logger, e, operation.Id, operation.Kind);
            }
        }
    }
}
