namespace RoostKeeper.Ha.ProcessChaos.Faults;

/// <summary>What a replica's proxy does to the bytes between it and the API server.</summary>
internal enum ProxyMode
{
    /// <summary>Forwards everything.</summary>
    Pass,

    /// <summary>Resets every open connection (RST) and every new one at once.</summary>
    Reset,

    /// <summary>Accepts and reads, forwards nothing, answers nothing: requests hang until the client gives up.</summary>
    Blackhole,

    /// <summary>Holds each chunk, in both directions, for the proxy's latency before forwarding it.</summary>
    Latency,

    /// <summary>Forwards at the proxy's bandwidth (bytes per second), in small chunks.</summary>
    Bandwidth,
}
