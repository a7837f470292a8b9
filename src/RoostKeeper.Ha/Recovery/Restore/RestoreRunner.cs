using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Recovery.Archive;
using RoostKeeper.Ha.Recovery.Resources;

namespace RoostKeeper.Ha.Recovery.Restore;

/// <summary>
/// Applies the objects of a verified archive, read once in archive order: phase by phase (see
/// <see cref="RestorePhase"/>), in batches written with bounded parallelism, each object created (or, when it
/// exists, compared and then skipped or replaced per policy), with a result per object. A dry run reads the
/// live objects for the plan and diff and sends every write with <c>dryRun=All</c>.
/// </summary>
internal sealed class RestoreRunner(
    ResourceClient resources,
    VerifiedArchive archive,
    RestoreOptions options,
    TimeProvider time,
    ILogger logger,
    IProgress<RestoreProgress>? progress)
{
    private const int BatchSize = 256;
    private const int MaxAttempts = 3;
    private static readonly BackupResource NamespaceType = new("", "v1", "namespaces");
    private static readonly BackupResource DefinitionType = new("apiextensions.k8s.io", "v1", "customresourcedefinitions");

    private readonly List<RestoredObject> _results = [];
    private readonly ConcurrentDictionary<string, string> _restoredUids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _namespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RestoredObject> _namespaceResults = new();
    private readonly List<string> _definitions = [];

    /// <summary>Dry run: namespaces and CustomResourceDefinitions that do not exist and that the plan creates (the restore would create them before what needs them).</summary>
    private readonly ConcurrentDictionary<string, bool> _plannedNamespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _plannedDefinitions = new(StringComparer.Ordinal);
    private long _done;
    private long _failed;

    public async Task<IReadOnlyList<RestoredObject>> RunAsync(IAsyncEnumerable<ArchiveObject> objects, CancellationToken cancellationToken)
    {
        var batch = new List<(BackupResource Type, JsonObject Object)>(BatchSize);
        RestorePhase? current = null;
        var reader = objects.GetAsyncEnumerator(cancellationToken);
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await reader.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (BackupIntegrityException e)
                {
                    // The second read differs from the validated archive (cut short, changed, another
                    // archive): the batch read so far is not written, and what was written is reported.
                    throw e.AfterRestoring([.. _results]);
                }

                var item = reader.Current;
                var parsed = ObjectPath.Parse(item.Path)
                    ?? throw new BackupIntegrityException(archive.Info.Id, BackupProblem.Unreadable, $"Entry {item.Path} is not an object path.", objectPath: item.Path);
                var phase = RestorePhases.Of(parsed.Type);
                if (current is { } previous && (phase != previous || batch.Count >= BatchSize))
                {
                    await ApplyBatchAsync(batch, previous, cancellationToken).ConfigureAwait(false);
                    if (phase != previous)
                    {
                        await FinishPhaseAsync(previous, cancellationToken).ConfigureAwait(false);
                    }
                }

                current = phase;
                batch.Add((parsed.Type, (JsonObject)JsonNode.Parse(item.Json)!));
            }
        }

        if (current is { } last)
        {
            await ApplyBatchAsync(batch, last, cancellationToken).ConfigureAwait(false);
            await FinishPhaseAsync(last, cancellationToken).ConfigureAwait(false);
        }

        return _results;
    }

    private async Task ApplyBatchAsync(List<(BackupResource Type, JsonObject Object)> batch, RestorePhase phase, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var results = new RestoredObject[batch.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, batch.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                results[i] = await ApplyAsync(batch[i].Type, batch[i].Object, ct).ConfigureAwait(false);
                if (results[i].Outcome == RestoreOutcome.Failed)
                {
                    Interlocked.Increment(ref _failed);
                    logger.LogObjectFailed(archive.Info.Id, results[i]);
                }

                progress?.Report(new RestoreProgress(phase, Interlocked.Increment(ref _done), archive.Manifest.Objects.Count, Interlocked.Read(ref _failed)));
            }).ConfigureAwait(false);
        while (_namespaceResults.TryDequeue(out var created))
        {
            _results.Add(created);
        }

        _results.AddRange(results);
        batch.Clear();
    }

    private async Task<RestoredObject> ApplyAsync(BackupResource type, JsonObject original, CancellationToken cancellationToken)
    {
        var kind = original["kind"]?.GetValue<string>() ?? ResourceClient.KindOf(type);
        var apiVersion = original["apiVersion"]?.GetValue<string>() ?? type.ApiVersion;
        var name = ObjectPath.Name(original);
        var sourceNamespace = ObjectPath.Namespace(original);
        var ns = sourceNamespace is null ? null : Map(sourceNamespace);
        if (type.IsNamespaces)
        {
            name = Map(name);
        }

        RestoredObject Result(RestoreOutcome outcome, IReadOnlyList<string>? differences = null, string? error = null) =>
            new(apiVersion, kind, ns, name, outcome, differences ?? [], error);

        try
        {
            if (ns is not null)
            {
                await EnsureNamespaceAsync(ns, cancellationToken).ConfigureAwait(false);
            }

            var originalUid = original["metadata"]?["uid"]?.GetValue<string>();
            var (clean, notes) = ObjectSanitizer.CleanInPlace(original, ns, RestoresStatus(type), uid => _restoredUids.GetValueOrDefault(uid));
            ((JsonObject)clean["metadata"]!)["name"] = name;
            if (options.DryRun)
            {
                if (NotCheckable(type, ns) is { Count: > 0 } reasons)
                {
                    // Its namespace or its type does not exist yet: the server can neither have it nor dry-run its
                    // create (404), but the restore creates what it needs first, so it would be created.
                    return Result(RestoreOutcome.WouldCreate, [.. notes, .. reasons]);
                }

                var live = await resources.GetAsync(type, ns, name, cancellationToken).ConfigureAwait(false);
                if (live is null)
                {
                    await WithRetriesAsync(() => resources.CreateAsync(type, ns, clean, dryRun: true, cancellationToken), cancellationToken).ConfigureAwait(false);
                    if (type.IsNamespaces)
                    {
                        _plannedNamespaces[name] = true;
                    }
                    else if (type.IsDefinitions)
                    {
                        _plannedDefinitions[name] = true;
                    }

                    return Result(RestoreOutcome.WouldCreate, notes);
                }

                return await CompareAsync(type, ns, name, clean, live, originalUid, notes, Result, cancellationToken).ConfigureAwait(false);
            }

            WrittenObject created;
            try
            {
                created = await WithRetriesAsync(() => resources.CreateAsync(type, ns, clean, dryRun: false, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
            {
                // Exists already: also what a rerun after an interrupted restore (or a create whose answer was
                // lost) finds; compared, then skipped, left or replaced, so a rerun never duplicates anything.
                var live = await resources.GetAsync(type, ns, name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"The server answered AlreadyExists for {kind} {ns}/{name}, then NotFound when it was read; it is being deleted. Retry the restore once it is gone.", e);
                return await CompareAsync(type, ns, name, clean, live, originalUid, notes, Result, cancellationToken).ConfigureAwait(false);
            }

            Remember(originalUid, created.Uid);
            if (type.IsDefinitions)
            {
                lock (_definitions)
                {
                    _definitions.Add(name);
                }
            }

            if (await WriteStatusAsync(type, ns, name, clean, created, cancellationToken).ConfigureAwait(false) is { } statusError)
            {
                return Result(RestoreOutcome.Failed, notes, $"created, but {statusError}");
            }

            return Result(RestoreOutcome.Created, notes);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Result(RestoreOutcome.Failed, error: KubernetesApiErrors.IsApiOrNetwork(e) ? KubernetesApiErrors.Describe(e) : e.Message);
        }
    }

    private async Task<RestoredObject> CompareAsync(
        BackupResource type,
        string? ns,
        string name,
        JsonObject clean,
        JsonObject live,
        string? originalUid,
        IReadOnlyList<string> notes,
        Func<RestoreOutcome, IReadOnlyList<string>?, string?, RestoredObject> result,
        CancellationToken cancellationToken)
    {
        if (live["metadata"]?["deletionTimestamp"] is { } deleting)
        {
            // Equal or not, it is about to go (a finalizer holds it): reporting it present would be a lie once
            // the finalizer is done. It cannot be replaced either; a rerun after it is gone creates it.
            var finalizers = live["metadata"]?["finalizers"] is JsonArray list ? string.Join(", ", list.Select(f => f?.ToString())) : "none";
            return result(RestoreOutcome.Failed, [], $"it exists but is being deleted (deletionTimestamp {deleting}, finalizers: {finalizers}), so it was neither restored nor left as the backup's; run the restore again once it is gone, which creates it");
        }

        Remember(originalUid, live["metadata"]?["uid"]?.GetValue<string>());
        var differences = ObjectDiff.Compare(ObjectSanitizer.Comparable(clean, RestoresStatus(type)), ObjectSanitizer.Comparable(live, RestoresStatus(type)));
        if (differences.Count == 0)
        {
            return result(RestoreOutcome.Unchanged, notes, null);
        }

        if (options.ExistingObjects == ExistingObjectPolicy.Skip)
        {
            return result(RestoreOutcome.Skipped, differences, null);
        }

        var replacement = (JsonObject)clean.DeepClone();
        ((JsonObject)replacement["metadata"]!)["resourceVersion"] = live["metadata"]?["resourceVersion"]?.DeepClone();
        WrittenObject replaced;
        try
        {
            replaced = await resources.ReplaceAsync(type, ns, name, replacement, options.DryRun, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return result(RestoreOutcome.Failed, differences, $"update failed: {KubernetesApiErrors.Describe(e)}");
        }

        if (!options.DryRun && await WriteStatusAsync(type, ns, name, clean, replaced, cancellationToken).ConfigureAwait(false) is { } statusError)
        {
            return result(RestoreOutcome.Failed, differences, $"updated, but {statusError}");
        }

        return result(options.DryRun ? RestoreOutcome.WouldUpdate : RestoreOutcome.Updated, differences, null);
    }

    /// <summary>
    /// When status is restored and the server did not keep the backed-up status with the object (the type has
    /// a status subresource, so the main resource ignores status), writes it through <c>/status</c>. Returns
    /// null when done or not needed, else what failed. Status of namespaces and definitions is the server's.
    /// </summary>
    private async Task<string?> WriteStatusAsync(BackupResource type, string? ns, string name, JsonObject clean, WrittenObject written, CancellationToken cancellationToken)
    {
        if (!RestoresStatus(type) || clean["status"] is not { } wanted || JsonNode.DeepEquals(wanted, written.Status))
        {
            return null;
        }

        var resourceVersion = written.ResourceVersion;
        for (var attempt = 1; ; attempt++)
        {
            var body = (JsonObject)clean.DeepClone();
            ((JsonObject)body["metadata"]!)["resourceVersion"] = resourceVersion;
            try
            {
                await resources.ReplaceStatusAsync(type, ns, name, body, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (Exception e) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested && (KubernetesApiErrors.IsTransient(e) || KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict))
            {
                // A controller may have written the object since (409): write over its current version.
                var live = await resources.GetAsync(type, ns, name, cancellationToken).ConfigureAwait(false);
                resourceVersion = live?["metadata"]?["resourceVersion"]?.GetValue<string>() ?? resourceVersion;
            }
            catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return $"writing its status through the status subresource failed: {KubernetesApiErrors.Describe(e)}";
            }
        }
    }

    /// <summary>Dry run: why an object cannot be checked by the API server (its namespace or definition exists only in the plan); empty when it can.</summary>
    private List<string> NotCheckable(BackupResource type, string? ns)
    {
        var reasons = new List<string>(2);
        if (ns is not null && _plannedNamespaces.ContainsKey(ns))
        {
            reasons.Add($"not checked by the API server: namespace {ns} does not exist yet and the restore creates it first, so the object's validation and admission run only then");
        }

        var definition = $"{type.Plural}.{type.Group}";
        if (!type.IsCore && !type.IsDefinitions && _plannedDefinitions.ContainsKey(definition))
        {
            reasons.Add($"not checked by the API server: its CustomResourceDefinition {definition} does not exist yet and the restore creates it first, so the object's schema validation and admission run only then");
        }

        return reasons;
    }

    private Task EnsureNamespaceAsync(string ns, CancellationToken cancellationToken) =>
        _namespaces.GetOrAdd(ns, n => new Lazy<Task>(() => CreateNamespaceIfMissingAsync(n, cancellationToken))).Value;

    private async Task CreateNamespaceIfMissingAsync(string ns, CancellationToken cancellationToken)
    {
        // Retried like an object's write: the result is shared by every object of the namespace in this run, so
        // one transient error here would otherwise fail all of them.
        if (_plannedNamespaces.ContainsKey(ns)
            || await WithRetriesAsync(() => resources.GetAsync(NamespaceType, null, ns, cancellationToken), cancellationToken).ConfigureAwait(false) is not null)
        {
            // Exists, or (dry run) the backup's own Namespace object is planned for creation: reported once, there.
            return;
        }

        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } };
        try
        {
            await WithRetriesAsync(() => resources.CreateAsync(NamespaceType, null, body, options.DryRun, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
        {
            return;
        }

        if (options.DryRun)
        {
            _plannedNamespaces[ns] = true;
        }

        _namespaceResults.Enqueue(new RestoredObject("v1", "Namespace", null, ns, options.DryRun ? RestoreOutcome.WouldCreate : RestoreOutcome.Created, ["created because restored objects are in it; the backup does not include it"]));
    }

    private async Task FinishPhaseAsync(RestorePhase phase, CancellationToken cancellationToken)
    {
        if (phase != RestorePhase.Definitions || options.DryRun)
        {
            return;
        }

        var deadline = time.GetUtcNow() + options.DefinitionTimeout;
        foreach (var name in _definitions)
        {
            while (true)
            {
                var crd = await resources.GetAsync(DefinitionType, null, name, cancellationToken).ConfigureAwait(false);
                if (crd?["status"]?["conditions"] is JsonArray conditions && conditions.OfType<JsonObject>().Any(c =>
                        c["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True"))
                {
                    break;
                }

                if (time.GetUtcNow() >= deadline)
                {
                    throw new TimeoutException($"CustomResourceDefinition {name} was restored but is not Established after {options.DefinitionTimeout}; its custom resources cannot be restored. Check the definition with: kubectl get crd {name} -o yaml");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write().ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < MaxAttempts && KubernetesApiErrors.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Remember(string? originalUid, string? uid)
    {
        if (originalUid is not null && uid is not null)
        {
            _restoredUids[originalUid] = uid;
        }
    }

    /// <summary>Status is restored, when asked, for custom resources only: that of namespaces and definitions is the API server's own.</summary>
    private bool RestoresStatus(BackupResource type) => options.IncludeStatus && !type.IsCore && !type.IsDefinitions;

    private string Map(string ns) => options.NamespaceMapping.TryGetValue(ns, out var mapped) ? mapped : ns;
}
