using System.Text.Json;

namespace Brokkr.AppHost.Hosting;

/// <summary>Writes one resource's manifest members, in the member order Aspire 9.x uses for its type.</summary>
internal sealed class ManifestResourceWriter(Utf8JsonWriter writer, DistributedApplicationExecutionContext executionContext, string manifestDirectory,
    ManifestPortAllocator ports)
{
    public async Task WriteAsync(IResource resource, CancellationToken cancellationToken)
    {
        switch (resource)
        {
            case ContainerResource container:
                await WriteContainerAsync(container, cancellationToken);
                break;
            case ProjectResource project:
                writer.WriteString("type", "project.v0");
                writer.WriteString("path", RelativePath(project.ProjectPath));
                await WriteArgsEnvAndBindingsAsync(project, cancellationToken);
                break;
            case ParameterResource parameter:
                WriteParameter(parameter);
                break;
            case IResourceWithConnectionString value:
                writer.WriteString("type", "value.v0");
                writer.WriteString("connectionString", value.ConnectionStringExpression.ValueExpression);
                break;
            default:
                throw new NotSupportedException($"resource '{resource.Name}' ({resource.GetType().Name}) has no manifest form");
        }
    }

    private async Task WriteContainerAsync(ContainerResource container, CancellationToken cancellationToken)
    {
        writer.WriteString("type", "container.v0");
        if (container is IResourceWithConnectionString withConnectionString)
        {
            writer.WriteString("connectionString", withConnectionString.ConnectionStringExpression.ValueExpression);
        }

        writer.WriteString("image", container.ImageReference);
        if (container.Entrypoint is not null)
        {
            writer.WriteString("entrypoint", container.Entrypoint);
        }

        WriteArgs(container);
        var mounts = container.Annotations.OfType<ContainerMountAnnotation>().ToList();
        WriteMounts("bindMounts", mounts.Where(m => m.Type == ContainerMountType.BindMount), m => RelativePath(m.Source!));
        WriteMounts("volumes", mounts.Where(m => m.Type == ContainerMountType.Volume), m => m.Source);
        await WriteEnvAsync(container, cancellationToken);
        WriteBindings(container);
    }

    private async Task WriteArgsEnvAndBindingsAsync(IResource resource, CancellationToken cancellationToken)
    {
        WriteArgs(resource);
        await WriteEnvAsync(resource, cancellationToken);
        WriteBindings(resource);
    }

    private void WriteArgs(IResource resource)
    {
        var args = resource.Annotations.OfType<CommandLineArgsAnnotation>().SelectMany(a => a.Args).ToList();
        if (args.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("args");
        foreach (var arg in args)
        {
            writer.WriteStringValue(Expression(arg));
        }

        writer.WriteEndArray();
    }

    private void WriteMounts(string member, IEnumerable<ContainerMountAnnotation> mounts, Func<ContainerMountAnnotation, string?> source)
    {
        var list = mounts.ToList();
        if (list.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(member);
        foreach (var mount in list)
        {
            writer.WriteStartObject();
            var name = source(mount);
            if (name is not null)
            {
                writer.WriteString(mount.Type == ContainerMountType.Volume ? "name" : "source", name);
            }

            writer.WriteString("target", mount.Target);
            writer.WriteBoolean("readOnly", mount.IsReadOnly);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private async Task WriteEnvAsync(IResource resource, CancellationToken cancellationToken)
    {
        var env = await EnvironmentEvaluator.EvaluateAsync(resource, executionContext);
        if (env.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("env");
        foreach (var (name, value) in env)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.WriteString(name, Expression(value));
        }

        writer.WriteEndObject();
    }

    private void WriteBindings(IResource resource)
    {
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        if (endpoints.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("bindings");
        foreach (var endpoint in endpoints)
        {
            writer.WriteStartObject(endpoint.Name);
            writer.WriteString("scheme", endpoint.UriScheme);
            writer.WriteString("protocol", endpoint.Protocol);
            writer.WriteString("transport", endpoint.Transport);
            var targetPort = TargetPort(resource, endpoint, endpoints);
            if (endpoint.Port is { } port && port != targetPort)
            {
                writer.WriteNumber("port", port);
            }

            if (targetPort is not null)
            {
                writer.WriteNumber("targetPort", targetPort.Value);
            }

            if (endpoint.IsExternal)
            {
                writer.WriteBoolean("external", true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The given target port; else a container's port (it listens on what it exposes); else none on a project's first
    /// http and first https endpoint, whose port the deploy tool supplies (8080 in .NET's images); else one allocated.
    /// </summary>
    private int? TargetPort(IResource resource, EndpointAnnotation endpoint, List<EndpointAnnotation> endpoints) => endpoint switch
    {
        { TargetPort: { } target } => target,
        { Port: { } port } when resource is ContainerResource => port,
        { UriScheme: "http" or "https" } when resource is ProjectResource && endpoints.First(e => e.UriScheme == endpoint.UriScheme) == endpoint => null,
        _ => ports.Allocate(),
    };

    private void WriteParameter(ParameterResource parameter)
    {
        writer.WriteString("type", "parameter.v0");
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        if (parameter.Generate is { } generate)
        {
            writer.WriteStartObject("default");
            writer.WriteStartObject("generate");
            writer.WriteNumber("minLength", generate.MinLength);
            WriteFlagWhenFalse("lower", generate.Lower);
            WriteFlagWhenFalse("upper", generate.Upper);
            WriteFlagWhenFalse("numeric", generate.Numeric);
            WriteFlagWhenFalse("special", generate.Special);
            WriteCountWhenSet("minLower", generate.MinLower);
            WriteCountWhenSet("minUpper", generate.MinUpper);
            WriteCountWhenSet("minNumeric", generate.MinNumeric);
            WriteCountWhenSet("minSpecial", generate.MinSpecial);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private void WriteFlagWhenFalse(string name, bool value)
    {
        if (!value)
        {
            writer.WriteBoolean(name, false);
        }
    }

    private void WriteCountWhenSet(string name, int value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    private static string Expression(object value) => value switch
    {
        string text => text,
        IManifestExpressionProvider provider => provider.ValueExpression,
        _ => throw new NotSupportedException($"a {value.GetType().Name} cannot be written to the manifest"),
    };

    private string RelativePath(string path) => Path.GetRelativePath(manifestDirectory, path).Replace('\\', '/');
}
