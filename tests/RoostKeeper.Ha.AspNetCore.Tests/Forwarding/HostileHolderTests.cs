using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Forwarding;

/// <summary>
/// A replica's service account can write the election Lease. A holder written to move the forwarding URL's
/// host must not make a follower send an operator's token (or anything) elsewhere, nor name that address.
/// </summary>
public sealed class HostileHolderTests
{
    [Fact]
    public async Task A_holder_that_would_move_the_host_gets_no_request_no_token_and_no_leaderAddress()
    {
        using var attacker = new CapturingListener();
        var port = attacker.Port;
        await using var cluster = await Cluster.StartAsync();
        var admin = cluster.Simulation.CreateClient("admin");
        var holders = new[] { $"x@127.0.0.1:{port}/", $"127.0.0.1:{port}?", $"127.0.0.1:{port}#", $"127.0.0.1:{port}/", $"x%40127.0.0.1:{port}/" };
        await admin.CoordinationV1.CreateNamespacedLeaseAsync(Lease(holders[0]), Cluster.Namespace);

        await using var forwarding = await cluster.ReplicaAsync("replica-b", o =>
        {
            o.MutationPolicy = ReplicaServer.OperatorPolicy;
            o.LeaderUrlTemplate = "http://{leader}.replicas.test:8080";
            o.ForwardToLeader = true;
        }, healthChecks: false);
        await using var naming = await cluster.ReplicaAsync("replica-c", o =>
        {
            o.MutationPolicy = ReplicaServer.OperatorPolicy;
            o.LeaderUrlTemplate = "http://{leader}.replicas.test:8080";
        }, healthChecks: false);

        foreach (var holder in holders)
        {
            var lease = await admin.CoordinationV1.ReadNamespacedLeaseAsync("roost-keeper-controller", Cluster.Namespace);
            lease.Spec.HolderIdentity = holder;
            lease.Spec.RenewTime = DateTime.UtcNow;
            await admin.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "roost-keeper-controller", Cluster.Namespace);
            await Cluster.Until(() => forwarding.Manager.LeaderIdentity == holder && naming.Manager.LeaderIdentity == holder, $"the replicas to see {holder} as the leader");

            foreach (var replica in new[] { forwarding, naming })
            {
                using var backup = await BackupBed.SendAsync(replica, HttpMethod.Post, "/backup");
                using var failover = await BackupBed.SendAsync(replica, HttpMethod.Post, "/failover");
                using var poll = await replica.Http.GetAsync("/operations/op-20260101-000000-abcdef01");

                Assert.Equal(HttpStatusCode.Conflict, backup.StatusCode);
                using var problem = await BackupBed.ProblemAsync(backup);
                Assert.Equal(holder, problem.RootElement.GetProperty("leader").GetString());
                Assert.True(
                    !problem.RootElement.TryGetProperty("leaderAddress", out var address) || address.ValueKind == System.Text.Json.JsonValueKind.Null,
                    $"{holder}: leaderAddress {address}");
                Assert.Equal(HttpStatusCode.Conflict, failover.StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, poll.StatusCode);
            }
        }

        Assert.Empty(attacker.Requests);
        Assert.Contains(forwarding.Logs.Entries, e => e.EventId == 6015 && e.Message.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));
        Assert.Contains(naming.Logs.Entries, e => e.EventId == 6015);
    }

    private static V1Lease Lease(string holder) => new()
    {
        Metadata = new V1ObjectMeta { Name = "roost-keeper-controller" },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = holder,
            LeaseDurationSeconds = 3600,
            AcquireTime = DateTime.UtcNow,
            RenewTime = DateTime.UtcNow,
            LeaseTransitions = 0,
        },
    };

    /// <summary>What an attacker would run: records every request that reaches it and answers 202.</summary>
    private sealed class CapturingListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public CapturingListener()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public ConcurrentQueue<string> Requests { get; } = new();

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    Requests.Enqueue(Encoding.ASCII.GetString(buffer, 0, read));
                    await stream.WriteAsync("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
            {
                // Stopped.
            }
        }
    }
}
