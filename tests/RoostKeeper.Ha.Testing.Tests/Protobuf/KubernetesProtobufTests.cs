using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RoostKeeper.Ha.Testing.Protobuf;

namespace RoostKeeper.Ha.Testing.Tests.Protobuf;

/// <summary>The protobuf request bodies kubectl's typed clients send: decoded for the kinds it creates, refused clearly otherwise.</summary>
public sealed class KubernetesProtobufTests
{
    [Fact]
    public void A_configmap_decodes_to_the_JSON_the_store_keeps()
    {
        var body = Envelope("v1", "ConfigMap", Message(
            Bytes(1, Message(Text(1, "settings"), Text(2, ""), Text(3, "prod"), MapEntry(11, "app", "web"), Bytes(8, Message()))),
            MapEntry(2, "mode", "blue"),
            MapEntry(2, "size", "3"),
            Bytes(3, Message(Text(1, "blob"), Bytes(2, [1, 2, 3])))));

        var obj = KubernetesProtobuf.Decode(body);

        Assert.Equal("v1", obj["apiVersion"]!.GetValue<string>());
        Assert.Equal("ConfigMap", obj["kind"]!.GetValue<string>());
        Assert.Equal("settings", obj["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("prod", obj["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("web", obj["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Null(obj["metadata"]!["generateName"]);
        Assert.Null(obj["metadata"]!["creationTimestamp"]);
        Assert.Equal("blue", obj["data"]!["mode"]!.GetValue<string>());
        Assert.Equal("3", obj["data"]!["size"]!.GetValue<string>());
        Assert.Equal("AQID", obj["binaryData"]!["blob"]!.GetValue<string>());
    }

    [Fact]
    public void A_kind_without_a_table_is_refused_naming_the_kinds_that_have_one()
    {
        var body = Envelope("v1", "Service", Message(Bytes(1, Message(Text(1, "web")))));

        var e = Assert.Throws<NotSupportedException>(() => KubernetesProtobuf.Decode(body));
        Assert.Contains("v1/Service", e.Message, StringComparison.Ordinal);
        Assert.Contains("v1/ConfigMap", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_without_the_k8s_prefix_is_malformed() =>
        Assert.Throws<FormatException>(() => KubernetesProtobuf.Decode("{\"kind\":\"ConfigMap\"}"u8));

    [Fact]
    public void A_truncated_body_is_malformed()
    {
        var body = Envelope("v1", "ConfigMap", Message(Bytes(1, Message(Text(1, "settings")))));

        Assert.Throws<FormatException>(() => KubernetesProtobuf.Decode(body.AsSpan(0, body.Length - 3)));
    }

    [Fact]
    public async Task Over_HTTP_an_unsupported_kind_is_415_and_a_malformed_body_400()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        using var unsupported = await http.PostAsync("/api/v1/namespaces/default/services", Content(Envelope("v1", "Service", Message(Bytes(1, Message(Text(1, "web")))))));
        using var malformed = await http.PostAsync("/api/v1/namespaces/default/configmaps", Content([(byte)'k', (byte)'8', (byte)'s', 0, 0x0A, 0x7F]));
        using var created = await http.PostAsync("/api/v1/namespaces/default/configmaps", Content(Envelope("v1", "ConfigMap", Message(Bytes(1, Message(Text(1, "ok")))))));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Contains("send JSON", await unsupported.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Empty(cluster.Errors);
    }

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(KubernetesProtobuf.MediaType);
        return content;
    }

    /// <summary>"k8s\0" + runtime.Unknown { typeMeta { apiVersion = 1, kind = 2 } = 1, raw = 2 }.</summary>
    private static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. "k8s\0"u8.ToArray(), .. Message(Bytes(1, Message(Text(1, apiVersion), Text(2, kind))), Bytes(2, raw))];

    private static byte[] Message(params byte[][] fields) => [.. fields.SelectMany(f => f)];

    private static byte[] Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    private static byte[] MapEntry(int field, string key, string value) => Bytes(field, Message(Text(1, key), Text(2, value)));

    private static byte[] Bytes(int field, byte[] value) => [.. Varint((ulong)((field << 3) | 2)), .. Varint((ulong)value.Length), .. value];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
