using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>
/// Runs leader-only operations as part of this replica's leader work. It joins the election as an
/// OnStartedLeading callback, so each term's token reaches the operations started in it: when the term ends
/// (lost, stepped down, handed over, shut down) they are cancelled and report Cancelled, and the callback
/// returns only once they have stopped. The elector does not release the Lease, or compete again, before its
/// leader work has returned, so no restore of this replica still writes while another replica leads.
/// </summary>
internal sealed class LeaderTerms
{
    private readonly object _gate = new();
    private Term? _current;

    /// <summary>Joins <paramref name="manager"/>'s election (from its next term on).</summary>
    public LeaderTerms(HaManager manager) => manager.OnStartedLeading(RunTermAsync);

    /// <summary>The live term, or null when this replica does not lead (or its term began before the API was mapped).</summary>
    public Term? Current
    {
        get
        {
            lock (_gate)
            {
                return _current is { Token.IsCancellationRequested: false } term ? term : null;
            }
        }
    }

    private async Task RunTermAsync(Leadership leadership, CancellationToken token)
    {
        var term = new Term(leadership, token);
        lock (_gate)
        {
            _current = term;
        }

        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (token.Register(() => ended.TrySetResult()).ConfigureAwait(false))
        {
            await ended.Task.ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (ReferenceEquals(_current, term))
            {
                _current = null;
            }
        }

        await term.DrainAsync().ConfigureAwait(false);
    }

    /// <summary>One term: its token, and the operations started in it.</summary>
    internal sealed class Term
    {
        private readonly object _gate = new();
        private readonly List<Task> _work = [];

        public Term(Leadership leadership, CancellationToken token)
        {
            Leadership = leadership;
            Token = token;
        }

        public Leadership Leadership { get; }

        public CancellationToken Token { get; }

        /// <summary>Runs <paramref name="work"/> on the term's token; false (nothing started) when the term has ended.</summary>
        public bool TryRun(Func<CancellationToken, Task> work)
        {
            lock (_gate)
            {
                if (Token.IsCancellationRequested)
                {
                    return false;
                }

                _work.Add(Task.Run(() => work(Token), CancellationToken.None));
                return true;
            }
        }

        public Task DrainAsync()
        {
            lock (_gate)
            {
                return Task.WhenAll(_work);
            }
        }
    }
}
