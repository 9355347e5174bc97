using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Brokkr.Tests.Broker;

/// <summary>
/// Bodies Kestrel refuses while the handler reads them — broken chunked encoding, a body that stalls — get the
/// envelope with a body-related code, not <c>invalid_path</c> or a 500. Sent over a raw socket, as no HTTP client
/// produces them.
/// </summary>
public sealed class BodyFramingTests(BodyFramingTests.ImpatientBroker broker) : IClassFixture<BodyFramingTests.ImpatientBroker>
{
    /// <summary>A broker that gives up on a body after two seconds without data (Kestrel's default grace is five).</summary>
    public sealed class ImpatientBroker : BrokerHost
    {
        protected override void Configure(WebApplicationBuilder builder) =>
            builder.WebHost.ConfigureKestrel(kestrel =>
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: TimeSpan.FromSeconds(2)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Malformed_chunked_encoding_is_400_invalid_body(bool deploymentObject)
    {
        var (path, contentType) = ("/generators", "application/json");
        if (deploymentObject)
        {
            var fleet = new Fleet(broker);
            (path, contentType) = ($"/stacks/{await fleet.StackAsync(await fleet.GeneratorAsync())}/deployment-objects", "application/yaml");
        }
        var (status, body) = await SendRawAsync(path, contentType, "Transfer-Encoding: chunked", "4\r\n{\"na\r\nzz\r\n");
        Assert.Equal((400, "invalid_body"), (status, body.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_stalled_body_is_408_request_timeout()
    {
        var (status, body) = await SendRawAsync("/generators", "application/json", "Content-Length: 100", "{\"name\":");
        Assert.Equal((408, "request_timeout"), (status, body.GetProperty("code").GetString()));
    }

    /// <summary>Sends the request head and <paramref name="bodyStart"/>, then reads the response until the broker closes.</summary>
    private async Task<(int Status, JsonElement Body)> SendRawAsync(string path, string contentType, string framing, string bodyStart)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(broker.BaseAddress.Host, broker.BaseAddress.Port);
        var stream = tcp.GetStream();
        var head = $"POST /api/v1{path} HTTP/1.1\r\nHost: {broker.BaseAddress.Authority}\r\nAuthorization: Bearer {BrokerHost.DevAdminPak}\r\n" +
                   $"Content-Type: {contentType}\r\n{framing}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + bodyStart));

        using var response = new MemoryStream();
        await stream.CopyToAsync(response).WaitAsync(TimeSpan.FromSeconds(30));
        var text = Encoding.UTF8.GetString(response.ToArray());
        var status = int.Parse(Regex.Match(text, "^HTTP/1.1 (\\d{3})").Groups[1].Value);
        // The envelope, whether the response is chunked or not.
        var json = text[text.IndexOf('{')..(text.LastIndexOf('}') + 1)];
        return (status, JsonDocument.Parse(json).RootElement.Clone());
    }
}
