namespace RoostKeeper.Ha.Testing;

/// <summary>How a partitioned client's requests fail.</summary>
public enum PartitionMode
{
    /// <summary>The connection is reset at once (a refused or dropped connection).</summary>
    Reset,

    /// <summary>The request hangs until the client gives up or the partition heals (dropped packets).</summary>
    Blackhole,
}
