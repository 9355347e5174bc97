using System.Net;
using System.Net.Sockets;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Gives every endpoint a loopback port: its preferred one (port, else target port) when free, otherwise — and always when
/// ports are randomised — one the OS picks.
/// </summary>
internal static class PortAllocator
{
    public static void Allocate(IEnumerable<IResource> resources, bool randomize, Action<string> report)
    {
        var taken = new HashSet<int>();
        foreach (var resource in resources)
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                var preferred = endpoint.Port ?? endpoint.TargetPort;
                // A container's target port is inside the container: locally it is only a wish, as any other.
                if (!randomize && preferred is { } wanted && !taken.Contains(wanted) && IsFree(wanted))
                {
                    endpoint.AllocatedPort = wanted;
                }
                else
                {
                    endpoint.AllocatedPort = FreePort(taken);
                    if (!randomize && preferred is not null)
                    {
                        report($"{resource.Name}: port {preferred} is in use, using {endpoint.AllocatedPort} instead");
                    }
                }

                taken.Add(endpoint.AllocatedPort.Value);
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort(HashSet<int> taken)
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (!taken.Contains(port))
            {
                return port;
            }
        }
    }
}
