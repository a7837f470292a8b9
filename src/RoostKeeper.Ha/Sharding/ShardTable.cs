using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// The shard table: the record layer of the <c>roostkeeper.io/shard-table</c> annotation on the table Lease.
/// <c>{"shards":N,"term":T,"members":[...],"entries":[{"target":"a","holder":"a","term":17},...]}</c>. The top
/// term is the highest handed out: every acquisition takes ++term, one monotone counter per table. Parsing is
/// bounded (size, depth, counts, lengths): anyone with write access to Leases can put anything in the annotation, and
/// a replica must report a hostile table, never crash on it or run work from it.
/// </summary>
internal sealed record ShardTable(int Shards, long Term, ImmutableArray<string> Members, ImmutableArray<ShardTableEntry> Entries)
{
    /// <summary>The annotation holding the table.</summary>
    public const string Annotation = "roostkeeper.io/shard-table";

    /// <summary>The label on the table and membership Leases, valued with the table's name: one list+watch finds them all.</summary>
    public const string Label = "roostkeeper.io/shard-table";

    /// <summary>The annotation a draining replica sets on its membership Lease.</summary>
    public const string DrainingAnnotation = "roostkeeper.io/shard-draining";

    /// <summary>The most shards a table may have (ShardingOptions.Shards' upper bound).</summary>
    public const int MaxShards = 1024;

    /// <summary>The most members a table may list.</summary>
    public const int MaxMembers = 1024;

    /// <summary>The longest annotation read: the API server caps all annotations of an object at 256 KiB.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>The longest identity (an object name's limit).</summary>
    public const int MaxIdentityLength = 253;

    /// <summary>An empty table of <paramref name="shards"/> shards: no members, no holders, term 0.</summary>
    public static ShardTable Empty(int shards) => new(shards, 0, [], [.. Enumerable.Repeat(ShardTableEntry.Empty, shards)]);

    /// <summary>Parses the annotation. On failure <paramref name="problem"/> says what is wrong, for the log and the status.</summary>
    public static bool TryParse(string? text, out ShardTable? table, out string? problem)
    {
        table = null;
        problem = null;
        if (text is null)
        {
            problem = "the table Lease has no " + Annotation + " annotation";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = $"the {Annotation} annotation is {text.Length} characters, more than the {MaxLength} a table can take";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            return TryRead(document.RootElement, out table, out problem);
        }
        catch (JsonException e)
        {
            problem = $"the {Annotation} annotation is not valid JSON ({e.Message})";
            return false;
        }
    }

    private static bool TryRead(JsonElement root, out ShardTable? table, out string? problem)
    {
        table = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = $"the table is a JSON {root.ValueKind}, not an object";
            return false;
        }

        if (!TryInt(root, "shards", 1, MaxShards, out var shards, out problem) || !TryInt(root, "term", 0, long.MaxValue, out var term, out problem))
        {
            return false;
        }

        if (!root.TryGetProperty("members", out var membersElement) || membersElement.ValueKind != JsonValueKind.Array)
        {
            problem = "the table has no \"members\" array";
            return false;
        }

        if (membersElement.GetArrayLength() > MaxMembers)
        {
            problem = $"the table lists {membersElement.GetArrayLength()} members, more than {MaxMembers}";
            return false;
        }

        var members = ImmutableArray.CreateBuilder<string>();
        foreach (var member in membersElement.EnumerateArray())
        {
            if (!TryIdentity(member, "member", out var name, out problem) || name is null)
            {
                problem ??= "a member is null";
                return false;
            }

            members.Add(name);
        }

        if (!root.TryGetProperty("entries", out var entriesElement) || entriesElement.ValueKind != JsonValueKind.Array)
        {
            problem = "the table has no \"entries\" array";
            return false;
        }

        if (entriesElement.GetArrayLength() != shards)
        {
            problem = $"the table has {entriesElement.GetArrayLength()} entries for {shards} shards";
            return false;
        }

        var entries = ImmutableArray.CreateBuilder<ShardTableEntry>((int)shards);
        var index = 0;
        foreach (var entry in entriesElement.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                problem = $"entry {index} is a JSON {entry.ValueKind}, not an object";
                return false;
            }

            if (!TryInt(entry, "term", 0, term, out var entryTerm, out problem))
            {
                problem = $"entry {index}: {problem} (the table's term is {term})";
                return false;
            }

            string? target = null, holder = null;
            if ((entry.TryGetProperty("target", out var t) && !TryIdentity(t, "target", out target, out problem))
                || (entry.TryGetProperty("holder", out var h) && !TryIdentity(h, "holder", out holder, out problem)))
            {
                problem = $"entry {index}: {problem}";
                return false;
            }

            entries.Add(new ShardTableEntry(target, holder, entryTerm));
            index++;
        }

        table = new ShardTable((int)shards, term, members.ToImmutable(), entries.MoveToImmutable());
        return true;
    }

    private static bool TryInt(JsonElement element, string name, long min, long max, out long value, out string? problem)
    {
        value = 0;
        problem = null;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.Number || !property.TryGetInt64(out value))
        {
            problem = $"\"{name}\" is missing or not an integer";
            return false;
        }

        if (value < min || value > max)
        {
            problem = $"\"{name}\" is {value}, outside {min}..{max}";
            return false;
        }

        return true;
    }

    private static bool TryIdentity(JsonElement element, string what, out string? value, out string? problem)
    {
        value = null;
        problem = null;
        if (element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 and <= MaxIdentityLength } text)
        {
            problem = $"a {what} is not an identity (a string of 1 to {MaxIdentityLength} characters)";
            return false;
        }

        value = text;
        return true;
    }

    /// <summary>The annotation's text for this table.</summary>
    public string Serialize()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteNumber("shards", Shards);
            json.WriteNumber("term", Term);
            json.WriteStartArray("members");
            foreach (var member in Members)
            {
                json.WriteStringValue(member);
            }

            json.WriteEndArray();
            json.WriteStartArray("entries");
            foreach (var entry in Entries)
            {
                json.WriteStartObject();
                json.WriteString("target", entry.Target);
                json.WriteString("holder", entry.Holder);
                json.WriteNumber("term", entry.Term);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The targets, in shard order.</summary>
    public string?[] Targets() => Entries.Select(e => e.Target).ToArray();

    /// <summary>Whether two tables say the same (record equality compares the arrays by reference).</summary>
    public bool SameAs(ShardTable other) =>
        Shards == other.Shards && Term == other.Term && Members.SequenceEqual(other.Members) && Entries.SequenceEqual(other.Entries);
}
