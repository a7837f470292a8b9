using System.Net;
using System.Net.Sockets;

namespace RoostKeeper.Ha.ProcessChaos.Faults;

/// <summary>
/// A loopback TCP proxy between one replica process and the API server, the network the runner breaks:
/// reset, blackhole, latency and bandwidth (<see cref="ProxyMode"/>), switched at any moment for every open
/// connection and every new one. Latency is applied per chunk and keeps each direction's order.
/// </summary>
internal sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;
    private volatile ProxyMode _mode = ProxyMode.Pass;

    public TcpFaultProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    public ProxyMode Mode => _mode;

    public TimeSpan Latency { get; private set; }

    public int BytesPerSecond { get; private set; } = int.MaxValue;

    public void Set(ProxyMode mode, TimeSpan latency = default, int bytesPerSecond = int.MaxValue)
    {
        Latency = latency;
        BytesPerSecond = bytesPerSecond;
        _mode = mode;
        if (mode is ProxyMode.Reset or ProxyMode.Blackhole)
        {
            // A blackhole drops what is in flight too: the open connections go silent, then die with the fault.
            Socket[] open;
            lock (_gate)
            {
                open = [.. _open];
            }

            if (mode == ProxyMode.Reset)
            {
                foreach (var socket in open)
                {
                    Abort(socket);
                }
            }
        }
    }

    public void Heal()
    {
        var wasBlackhole = _mode == ProxyMode.Blackhole;
        Set(ProxyMode.Pass);
        if (wasBlackhole)
        {
            // Connections whose bytes were dropped cannot resume mid-stream: end them, as a real path's timeouts would.
            Socket[] open;
            lock (_gate)
            {
                open = [.. _open];
            }

            foreach (var socket in open)
            {
                Abort(socket);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_gate)
        {
            foreach (var socket in _open)
            {
                Abort(socket);
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        if (_mode == ProxyMode.Reset)
        {
            Abort(client);
            return;
        }

        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        Track(client, true);
        Track(server, true);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            Abort(client);
            Abort(server);
            Track(client, false);
            Track(server, false);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < read)
                {
                    switch (_mode)
                    {
                        case ProxyMode.Reset:
                            return;
                        case ProxyMode.Blackhole:
                            sent = read; // dropped
                            continue;
                        case ProxyMode.Latency:
                            await Task.Delay(Latency, _stop.Token);
                            break;
                    }

                    var chunk = _mode == ProxyMode.Bandwidth ? Math.Min(read - sent, Math.Max(64, BytesPerSecond / 20)) : read - sent;
                    sent += await to.SendAsync(buffer.AsMemory(sent, chunk), SocketFlags.None, _stop.Token);
                    if (_mode == ProxyMode.Bandwidth)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)chunk / BytesPerSecond), _stop.Token);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
    }

    private void Track(Socket socket, bool open)
    {
        lock (_gate)
        {
            if (open)
            {
                _open.Add(socket);
            }
            else
            {
                _open.Remove(socket);
            }
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            // Linger 0: close sends RST, not FIN: the peer sees "connection reset".
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
